"""Property (issue 13): whatever hostile value a user entitled to a form or a
page puts in any of its fields or query parameters, the portal never answers
with a status of 500 or more, and a refused request (4xx) changes nothing.

The forms and query parameters are not listed by hand: each role's pages are
crawled from its home page, and every form (POST or GET) and every link with
a query string found there becomes a :class:`Target`.  For each target,
hypothesis draws one field and one hostile operation: a value that is not
UTF-8, holds NUL or other control characters, is huge or empty, is a date or
a number out of range, or the field is left out or sent twice.  The other
fields keep valid values, so that the hostile one is what decides.

"Changes nothing" is checked on the whole main database: its last
transaction is the same after a 4xx answer.  When a hostile value was
accepted (2xx, 3xx), every string stored in the main database must still be
clean: no control character but tab and line breaks, no replacement
character left by a decoding error, no lone surrogate.
"""
import datetime
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote_from_bytes, urlsplit

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from webob import Request

from portail.demo import DEMO_PASSWORD
from tests.conftest import Portal, find_dossier, logged_in

SITE = 'http://localhost'
#: the people whose pages are crawled (None: an anonymous visitor)
ROLES = ('worker1', 'secretary1', 'manager2', 'cli1', 'beneficiary1', 'dpo1',
         'director1', 'admin1', None)
#: pages a crawl does not open: leaving, downloads that are not pages
SKIPPED = re.compile(r'/(logout|static/|export\.json)')
#: the most pages of the same shape (ids replaced) a role's crawl opens
SAME_SHAPE = 2
PAGES_PER_ROLE = 40
#: examples drawn per target (about 65 targets: some 40 s on an idle machine)
EXAMPLES = 25

#: stored strings must not hold these (tab and line breaks are text)
UNCLEAN = re.compile('[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffd]')
OPAQUE_ID = re.compile(r'/[0-9a-f]{16,}(?=/|$)')


@dataclass(frozen=True)
class Target:
    """A form or a parameterised link that ``login`` sees on page ``source``."""

    login: str | None
    method: str
    source: str  # the page the form is on (re-read before each example)
    action: str  # the path the form is sent to
    index: int  # the form's position on the page (None: a link)
    pairs: tuple  # a link's query (name, value) pairs
    names: tuple = ()  # a form's field names

    def __str__(self):
        return f'{self.login or "anonymous"} {self.method} {self.action} (from {self.source})'


def shape(path):
    return OPAQUE_ID.sub('/*', path)


def local(url):
    """The path and query of ``url`` if it is a page of the portal, else None."""
    parts = urlsplit(url)
    if parts.scheme and f'{parts.scheme}://{parts.netloc}' != SITE:
        return None
    if not parts.path.startswith('/'):
        return None
    return parts.path + (f'?{parts.query}' if parts.query else '')


def crawl(browser, login, skip_path, start):
    """The targets on the pages ``browser`` reaches from the pages ``start``."""
    queue, seen, shapes, targets = list(start), set(), {}, []
    while queue and len(seen) < PAGES_PER_ROLE:
        url = queue.pop(0)
        path = url.split('?')[0]
        key = shape(url)
        if url in seen or shapes.get(key, 0) >= SAME_SHAPE or skip_path(path):
            continue
        seen.add(url)
        shapes[key] = shapes.get(key, 0) + 1
        if '?' in url:  # a page read with parameters: they are fuzzed too
            link_path, query = url.split('?', 1)
            targets.append(Target(login, 'GET', url, link_path, None,
                                  tuple(parse_qsl(query, keep_blank_values=True))))
        page = browser.get(url, status='*')
        assert page.status_int < 500, f'{url} gave {page.status}'
        if page.status_int in (302, 303) and local(page.location):
            queue.append(local(page.location))
        if page.status_int != 200 or 'html' not in page.content_type:
            continue
        for index, form in page.forms.items():
            if not isinstance(index, int):  # webtest also keys forms by their id
                continue
            action = local(form.action or url)
            if action is None or SKIPPED.search(action):
                continue
            targets.append(Target(login, form.method.upper(), url, action.split('?')[0],
                                  index, (), tuple(sorted({n for n in form.fields if n}))))
        for link in page.html.find_all('a', href=True):
            href = local(link['href'])
            if href is None or SKIPPED.search(href):
                continue
            if '?' in href:
                link_path, query = href.split('?', 1)
                targets.append(Target(login, 'GET', url, link_path, None,
                                      tuple(parse_qsl(query, keep_blank_values=True))))
            queue.append(href)
    return targets


def unique(targets):
    """One target per (role, method, shape of the action, field names)."""
    kept = {}
    for target in targets:
        names = tuple(sorted({name for name, _value in target.pairs})) + target.names
        key = (target.login, target.method, shape(target.action), target.index is None, names)
        kept.setdefault(key, target)
    return list(kept.values())


def valid_values(today):
    """Valid values of the portal's fields, by name, so that only the hostile
    field decides whether a form is accepted."""
    day = datetime.timedelta(days=1)
    return {
        'start_date': (today + 10 * day).isoformat(),
        'review_date': (today + 40 * day).isoformat(),
        'duration_months': '6', 'actions': 'Atelier CV.', 'notice_channel': 'paper',
        'text': 'Un texte de test.', 'last_name': 'Essai', 'first_names': 'Test',
        'birth_date': '1980-05-04', 'reason': 'Vérification du dossier',
        'until': (today + 5 * day).isoformat(), 'fullname': 'Personne Test',
        'login': 'worker3', 'password': DEMO_PASSWORD, 'comment': 'Un commentaire.',
        'answer': 'Une réponse.', 'note': 'Une note.', 'read': 'yes',
    }


def fill(form, values):
    """Put the valid ``values`` in ``form`` (a webtest form); return its pairs."""
    for name, value in values.items():
        if name in form.fields:
            field = form.fields[name][0]
            try:
                if getattr(field, 'tag', '') == 'input' and field.attrs.get('type') in (
                        'checkbox', 'radio'):
                    continue
                form[name] = value
            except (ValueError, AssertionError):
                continue
    boxes = form.fields.get('checkbox', [])
    if boxes and not any(box.checked for box in boxes):
        boxes[0].checked = True  # a choice group (themes, roles) needs one box
    return [(name, value) for name, value in form.submit_fields()]


# --- hostile values

NASTY = [
    '', ' ', '\x00', 'a\x00b', '\r\n', '\r\nSet-Cookie: evil=1', '\x1b[31m', '\x7f', '\x85',
    '\u2028', '\ufeff', '\U0001f600', '<script>alert(1)</script>', '../../etc/passwd',
    '//evil.example/', 'http://evil.example/', '%00', '%FF', '${x}', "' OR 1=1 --",
    '0001-01-01', '9999-12-31', '9999-12-15', '1899-12-31', '2101-01-01', '10000-01-01',
    '2026-02-30', '-0001-01-01', '2026-13-01', '20261102', '2026-W01-1',
    '-1', '0', '00', '13', '99999999999999999999', '²', '٣', '1e9', 'NaN', '0x10',
    '9' * 5000, 'x' * 100_000, 'é' * 30_000, '\t',
]
NOT_UTF8 = [b'\xff', b'\xc3\x28', b'\xed\xa0\x80', b'\xf8\x88\x80\x80\x80', b'\xc0\xaf',
            b'abc\xe9', b'\x80']

controls = st.characters(codec=None, categories=('Cc', 'Zl', 'Zp'))
readable = st.characters(codec='utf-8', exclude_characters='\ufffd')
hostile_text = st.one_of(
    st.sampled_from(NASTY),
    st.builds(lambda a, c, b: a + c + b, st.text(readable, max_size=6), controls,
              st.text(readable, max_size=6)),
)
hostile_bytes = st.one_of(
    hostile_text.map(lambda text: text.encode('utf-8')),
    st.sampled_from(NOT_UTF8),
    st.characters(codec=None, categories=('Cs',)).map(
        lambda c: c.encode('utf-8', 'surrogatepass')),
)
operation = st.one_of(
    st.tuples(st.just('replace'), hostile_bytes),
    st.tuples(st.just('duplicate'), hostile_bytes),
    st.tuples(st.just('omit'), st.just(b'')),
)


def encoded(pairs):
    return [(name.encode('utf-8'), value.encode('utf-8')) for name, value in pairs]


def apply(pairs, position, op, value):
    pairs = list(pairs)
    name = pairs[position][0]
    if op == 'replace':
        pairs[position] = (name, value)
    elif op == 'duplicate':
        pairs.append((name, value))
    else:
        del pairs[position]
    return pairs


def urlencoded(pairs):
    return '&'.join(f'{quote_from_bytes(n)}={quote_from_bytes(v)}' for n, v in pairs)


def multipart(pairs, boundary=b'hostile-boundary-7e3a'):
    body = b''
    for name, value in pairs:
        body += (b'--' + boundary + b'\r\nContent-Disposition: form-data; name="'
                 + name.replace(b'"', b'%22') + b'"\r\n\r\n' + value + b'\r\n')
    return body + b'--' + boundary + b'--\r\n', f'multipart/form-data; boundary={boundary.decode()}'


# --- the database


def last_transaction(portal):
    return portal.db.lastTransaction()


def stored_strings(obj, seen):
    if id(obj) in seen or obj is None or isinstance(
            obj, bytes | int | float | datetime.date | datetime.datetime):
        return
    seen.add(id(obj))
    if isinstance(obj, str):
        yield obj
        return
    activate = getattr(obj, '_p_activate', None)
    if activate is not None:
        activate()
    if hasattr(obj, 'items') and callable(obj.items):
        for key, value in obj.items():
            yield from stored_strings(key, seen)
            yield from stored_strings(value, seen)
    elif isinstance(obj, list | tuple | set | frozenset):
        for item in obj:
            yield from stored_strings(item, seen)
    state = getattr(obj, '__dict__', None)
    if state:
        for value in list(state.values()):
            yield from stored_strings(value, seen)


def unclean_strings(portal):
    with portal.root() as root:
        return sorted({s[:80] for s in stored_strings(root, set()) if UNCLEAN.search(s)})


# --- the property


class Fuzzer:
    """The portal, one logged-in browser per role, and the targets they see."""

    def __init__(self):
        self.portal = Portal().initialise()
        self.browsers = {login: logged_in(self.portal, login) if login else
                         self.portal.browser() for login in ROLES}
        self.values = valid_values(self.portal.clock.now().date())
        martin, note, contract, district = self.prepare()
        in_use = set()
        with self.portal.root() as root:
            for login in ROLES:
                if login:
                    in_use.add(root.users.find_login(login).uid)
        # the administrator's crawl opens no page of an account in use
        admin_skips = re.compile('/users/(' + '|'.join(in_use) + ')/')
        # the query parameters that no link of the demo carries are in the start pages
        starts = {
            'worker1': [martin, note, '/', contract + 'record-consent?kind=processing&'
                        'decision=given&channel=paper&note=Au+guichet',
                        contract + 'transition?name=share&fields=themes'],
            'manager2': ['/', martin], 'beneficiary1': ['/', martin],
            'secretary1': ['/', '/?queue_page=1'],
            'cli1': ['/', '/?cli_page=1', f'/cli/{district}/?page=1'],
            'admin1': ['/', '/users/?page=0'], 'dpo1': ['/', '/requests?filter=overdue'],
            None: ['/login?reason=idle', '/activate']}
        targets = []
        for login, browser in self.browsers.items():
            skip = admin_skips.search if login == 'admin1' else (lambda path: False)
            targets += crawl(browser, login, skip, starts.get(login, ['/']))
        self.targets = unique(targets)

    def prepare(self):
        """Through the pages: a note shared with a colleague, a delegation and a
        rights request in Martin's dossier, so that their forms are crawled."""
        worker, beneficiary = self.browsers['worker1'], self.browsers['beneficiary1']
        with self.portal.root() as root:
            dossier = find_dossier(root, 'Martin')
            district = dossier.district
            martin = f'/dossiers/{dossier.__name__}/'
            contract = f'{martin}contracts/{next(iter(dossier.contracts))}/'
            colleague = root.users.find_login('worker2').uid
        form = worker.get(martin + 'add-note').forms['form']
        form['text'] = 'Note de départ.'
        note = form.submit().follow()
        grant = next(f for f in note.forms.values() if f.action.endswith('/grant'))
        grant['colleague'] = colleague
        grant.submit().follow()
        page = worker.get(martin + 'delegation')
        delegation = next(f for f in page.forms.values() if f.action.endswith('/delegation'))
        delegation['delegate'], delegation['until'] = colleague, self.values['until']
        delegation.submit().follow()
        page = beneficiary.get(martin + 'rights')
        request = next(f for f in page.forms.values() if f.action.endswith('/rights'))
        request['kind'], request['text'] = 'rectification', 'Mon adresse a changé.'
        request.submit().follow()
        return martin, note.request.path, contract, district

    def pairs_of(self, target):
        """The valid pairs of ``target``, freshly read (serial, CSRF token)."""
        browser = self.browsers[target.login]
        if target.login is None:
            browser.reset()  # a visitor who logged in (as worker3) is a new visitor again
        if target.index is None:
            return target.pairs
        page = browser.get(target.source, status='*')
        # what an earlier example stored must not break the page
        assert page.status_int < 500, f'{target.source} gave {page.status} after fuzzing'
        if page.status_int != 200 or target.index not in page.forms:
            return None
        form = page.forms[target.index]
        if local(form.action or target.source).split('?')[0] != target.action:
            return None
        return fill(form, self.values)

    def send(self, target, pairs, as_multipart):
        browser = self.browsers[target.login]
        if target.method == 'GET':
            return browser.get(target.action + '?' + urlencoded(pairs), status='*',
                               expect_errors=True)
        if as_multipart:
            body, content_type = multipart(pairs)
        else:
            body, content_type = urlencoded(pairs).encode('ascii'), \
                'application/x-www-form-urlencoded'
        # the body as it is (webtest would encode a multipart body again)
        return browser.request(target.action, method='POST', body=body,
                               content_type=content_type, status='*', expect_errors=True)

    def check(self, target, data):
        # everything is drawn first, whatever the state: a draw that depended on
        # it would make hypothesis's replay of an example inconsistent
        choice = data.draw(st.integers(0, 255), label='field')
        op, value = data.draw(operation, label='operation')
        as_multipart = target.method == 'POST' and data.draw(st.booleans(), label='multipart')
        pairs = self.pairs_of(target)
        if not pairs:
            return
        position = choice % len(pairs)
        sent = apply(encoded(pairs), position, op, value)
        before = last_transaction(self.portal)
        response = self.send(target, sent, as_multipart)
        field = pairs[position][0]
        where = f'{target}: {op} {field}={value[:60]!r}'
        assert response.status_int < 500, f'{where} gave {response.status}'
        assert 'Traceback' not in response.text, where
        if response.status_int >= 400:
            assert last_transaction(self.portal) == before, f'{where}: changed on a 4xx'
        elif last_transaction(self.portal) != before:
            assert unclean_strings(self.portal) == [], where


def test_no_hostile_value_gives_a_500_nor_changes_anything_on_a_4xx():
    fuzzer = Fuzzer()
    methods = {(t.method, t.index is None) for t in fuzzer.targets}
    # the crawl found the portal's forms and parameterised links
    assert ('POST', False) in methods and ('GET', True) in methods and len(
        fuzzer.targets) >= 40, [str(t) for t in fuzzer.targets]

    for target in fuzzer.targets:
        fuzz(fuzzer, target)
    assert unclean_strings(fuzzer.portal) == []
    # whatever was accepted, every page crawled still opens
    for target in fuzzer.targets:
        if target.login is not None:
            page = fuzzer.browsers[target.login].get(target.source, status='*')
            assert page.status_int < 500, f'{target.source} gave {page.status} after fuzzing'


def fuzz(fuzzer, target):
    """Draw :data:`EXAMPLES` hostile submissions of ``target``."""

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def run(data):
        fuzzer.check(target, data)

    run()


def raw_get(portal, browser, path):
    request = Request.blank('/')
    request.environ['PATH_INFO'] = path.decode('latin-1')
    cookies = '; '.join(f'{k}={v}' for k, v in browser.cookies.items())
    if cookies:
        request.headers['Cookie'] = cookies
    return request.get_response(portal.wsgi)


@settings(max_examples=40, deadline=None, database=None, derandomize=True)
@given(segment=hostile_bytes, prefix=st.sampled_from(
    [b'/', b'/dossiers/', b'/users/', b'/statistics/', b'/cli/', b'/static/']))
def test_no_hostile_path_gives_a_500(segment, prefix):
    portal = PORTAL['portal']
    response = raw_get(portal, PORTAL['worker'], prefix + segment + b'/')
    assert response.status_int < 500, (prefix + segment, response.status)
    assert 'Traceback' not in response.text


PORTAL = {}


def setup_module(module):
    portal = Portal().initialise()
    PORTAL.update(portal=portal, worker=logged_in(portal, 'worker1'))


def teardown_module(module):
    PORTAL.clear()
