"""What every page a journey visits must pass: axe-core, reflow, and the
legal pages linked from its footer (:data:`LEGAL_PAGES`).

**axe-core** (the npm package pinned in ``package.json``, installed by
``npm ci``) is evaluated in the page through the DevTools protocol
(``page.evaluate``), which the page's Content-Security-Policy does not govern.
Injecting it as a ``<script>`` (``add_script_tag``) would be blocked by the
CSP (no inline script) and reported as a console error; a second context with
``bypass_csp=True`` would audit another rendering than the one the user gets.
So the journey's own page is audited, with its CSP intact, and the
console-error check stays meaningful.  Rules: the WCAG 2.0/2.1 A and AA tags
(what RGAA 4 builds on); a violation of impact *serious* or *critical* fails
the test; lesser ones are listed in the artifacts folder.

**Reflow** (WCAG 1.4.10 and 1.4.4): the page is laid out again at 320 CSS
pixels wide (a 1280 px window at 400 %) and at 640 (a 1280 px window at
200 % zoom), and the document must not scroll horizontally.  Wide tables
scroll inside their own ``.table-wrap`` box, which WCAG allows.
"""
import json
import os

AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']
FAILING_IMPACTS = {'serious', 'critical'}
REFLOW_WIDTHS = (320, 640)

RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                           resultTypes: ['violations']});
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
}"""

OVERFLOW = """() => {
  const width = window.innerWidth;
  if (document.documentElement.scrollWidth <= width) return null;
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.right > width + 1 && !el.closest('.table-wrap')) {
      wide.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
                + (el.className ? '.' + String(el.className).split(' ').join('.') : ''));
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, width, wide: wide.slice(0, 8)};
}"""


#: the legal pages every page's footer links (issue 18)
LEGAL_PAGES = frozenset({'/notice', '/notice-simple', '/accessibility', '/legal'})

FOOTER_LINKS = """() => Array.from(document.querySelectorAll('footer.site a'),
                     a => new URL(a.href).pathname)"""


class Auditor:
    """Audits pages and remembers what it saw, for the test's final checks."""

    def __init__(self, axe_source, artifacts):
        self.axe_source = axe_source
        self.artifacts = artifacts
        self.audited = []
        self.minor = {}

    def audit(self, page):
        """Fail (AssertionError) if ``page`` has serious violations or overflows."""
        url = page.url
        page.wait_for_load_state('load')
        page.evaluate(self.axe_source)
        violations = page.evaluate(RUN_AXE, AXE_TAGS)
        serious = [v for v in violations if v['impact'] in FAILING_IMPACTS]
        for v in violations:
            if v['impact'] not in FAILING_IMPACTS:
                self.minor.setdefault(v['id'], {'impact': v['impact'], 'help': v['help'],
                                                'pages': []})['pages'].append(url)
        assert serious == [], f'axe: serious or critical violations on {url}: {serious}'
        footer = set(page.evaluate(FOOTER_LINKS))
        assert LEGAL_PAGES <= footer, f'{url}: the footer lacks {sorted(LEGAL_PAGES - footer)}'
        viewport = page.viewport_size
        try:
            for width in REFLOW_WIDTHS:
                page.set_viewport_size({'width': width, 'height': 720})
                overflow = page.evaluate(OVERFLOW)
                assert overflow is None, (
                    f'{url} scrolls horizontally at {width} CSS px: {overflow}')
        finally:
            page.set_viewport_size(viewport)
        self.audited.append(url)

    def write_minor(self):
        """List the moderate and minor findings (they do not fail) for a reader,
        and how many pages were audited."""
        with open(os.path.join(self.artifacts, 'audit-summary.txt'), 'w',
                  encoding='utf-8') as out:
            out.write(f'{len(self.audited)} page loads audited '
                      f'({len(set(self.audited))} distinct URLs), axe-core tags '
                      f'{", ".join(AXE_TAGS)}, reflow at {REFLOW_WIDTHS} CSS px; '
                      f'{len(self.minor)} moderate or minor rule(s) reported\n')
        if self.minor:
            path = os.path.join(self.artifacts, 'axe-minor.json')
            with open(path, 'w', encoding='utf-8') as out:
                json.dump(self.minor, out, indent=2, ensure_ascii=False)
