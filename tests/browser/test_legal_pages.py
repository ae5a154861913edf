"""The legal pages in a real browser (issue 18): the information notice, the
accessibility statement and the legal notice reached from the footer links of
the login page and of a logged-in page; and the département's brand colour
and logo, applied through /brand.css under the page's Content-Security-Policy.
Every page is audited by axe (its colour-contrast rule included) and must
reflow at 320 px; the console stays free of errors (a blocked stylesheet or
image would show there)."""
import pytest

from tests.browser.conftest import DESKTOP, PHONE, UserAgent
from tests.browser.server import LiveServer
from tests.conftest import Portal

#: footer link -> the page's first heading
LEGAL_PAGES = {
    'Comment vos données sont traitées': 'Comment vos données sont traitées',
    'Accessibilité : non conforme': "Déclaration d'accessibilité",
    'Mentions légales': 'Mentions légales',
}

BRAND = '#7a1f3d'  # a dark wine red: 9.9:1 on white
SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="120" height="48" viewBox="0 0 120 48">'
       '<rect width="120" height="48" fill="#7a1f3d"/></svg>')


def visit_from_the_footer(agent, back):
    """Follow each legal link of the footer, from the page at ``back``."""
    for link, heading in LEGAL_PAGES.items():
        agent.goto(back)
        page = agent.follow(agent.page.locator('footer').get_by_role('link', name=link))
        assert page.get_by_role('heading', level=1).inner_text() == heading
        footer = page.locator('footer').inner_text()
        assert all(name in footer for name in LEGAL_PAGES), footer


def test_the_legal_pages_from_the_footer_signed_out_and_in(open_browser, live):
    visitor = open_browser()
    visit_from_the_footer(visitor, '/login')
    page = visitor.goto('/accessibility')
    assert 'Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07' in \
        page.locator('main').inner_text()

    worker = open_browser()
    worker.login('worker1')
    visit_from_the_footer(worker, '/')
    page = worker.goto('/notice')
    text = page.locator('main').inner_text()
    assert 'effacé 2 ans après le dernier contact' in text
    assert 'CNIL, 3 place de Fontenoy' in text

    # the person, on a phone
    person = open_browser(phone=True)
    person.login('beneficiary1')
    visit_from_the_footer(person, '/')


@pytest.fixture
def branded(tmp_path):
    logo = tmp_path / 'logo.svg'
    logo.write_text(SVG, encoding='utf-8')
    portal = Portal({'portail.departement_name': 'Département du Val-Témoin',
                     'portail.departement_logo': str(logo),
                     'portail.brand_primary': BRAND}).initialise()
    server = LiveServer(portal.wsgi)
    portal.url = server.url
    portal.registry.settings['portail.public_url'] = server.url
    yield portal
    server.stop()


def test_a_departement_brand_is_applied_and_passes_the_contrast_audit(chromium, branded,
                                                                      auditor, artifacts):
    agents = [UserAgent(chromium, branded.url, auditor, **DESKTOP),
              UserAgent(chromium, branded.url, auditor, **PHONE)]
    try:
        for agent in agents:
            page = agent.goto('/login')
            logo = page.locator('header a.brand img')
            assert logo.get_attribute('alt') == 'Département du Val-Témoin'
            assert page.evaluate('(img) => img.naturalWidth', logo.element_handle()) == 120
            assert page.title().endswith(' — Département du Val-Témoin')
            # the brand's stylesheet is applied (the CSP lets 'self' styles in)
            button = page.get_by_role('button', name='Se connecter')
            colours = page.evaluate(
                """(el) => [getComputedStyle(el).backgroundColor, getComputedStyle(el).color,
                            getComputedStyle(document.querySelector('footer a')).color]""",
                button.element_handle())
            assert colours == ['rgb(122, 31, 61)', 'rgb(255, 255, 255)', 'rgb(122, 31, 61)']
            visit_from_the_footer(agent, '/login')
            agent.login('worker1')
            page = agent.goto('/')
            page.screenshot(path=artifacts / f'brand-home-{agent.page.viewport_size["width"]}.png',
                            full_page=False)
            visit_from_the_footer(agent, '/')
    finally:
        for agent in agents:
            agent.finish()


def test_the_audit_would_catch_a_colour_that_slipped_past_start_up(chromium, branded,
                                                                   auditor):
    """Start-up refuses a low-contrast colour (tests/test_brand.py); were one
    served all the same, the axe audit of the rendered page fails on it."""
    settings = branded.registry.settings
    settings['portail.brand_primary'] = '#a0a0a0'  # 2.6:1 on white
    settings.pop('portail.brand', None)  # the brand, computed at the first page
    agent = UserAgent(chromium, branded.url, auditor, **DESKTOP)
    try:
        agent.page.goto(branded.url + '/login')
        with pytest.raises(AssertionError, match='color-contrast'):
            auditor.audit(agent.page)
    finally:
        agent.context.close()
