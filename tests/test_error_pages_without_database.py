"""Error pages render without touching any database (issue 14, part 4).

The faults are real: the sessions database closed under a running portal,
and three tabs of one user posting at once to a real waitress server.
"""
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

from tests.browser.server import LiveServer
from tests.conftest import Portal, find_dossier, logged_in

FRENCH_500 = 'Erreur inattendue'


def test_the_error_page_renders_with_the_sessions_database_closed():
    portal = Portal().initialise()
    worker1 = logged_in(portal, 'worker1')
    portal.registry._zodb_databases['sessions'].close()
    page = worker1.get('/', status=500)
    assert FRENCH_500 in page.text and 'Traceback' not in page.text
    assert page.headers['Content-Security-Policy']
    assert 'Wanda' not in page.text  # no account box: it would read the databases


def post(url, cookie, data):
    assert url.startswith('http://127.0.0.1:')
    request = urllib.request.Request(  # noqa: S310 (the test's own server)
        url, data=urllib.parse.urlencode(data).encode(), headers={'Cookie': cookie},
        method='POST')
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.read().decode('utf-8', 'replace')
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode('utf-8', 'replace')


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kw):
        return None


def test_three_tabs_of_one_user_posting_at_once_never_get_a_bare_error():
    portal = Portal({'retry.attempts': '1'}).initialise()
    worker1 = logged_in(portal, 'worker1')
    cookie = '; '.join(f'{name}={value}' for name, value in worker1.cookies.items())
    token = worker1.csrf()
    with portal.root() as root:
        worker2 = root.users.find_login('worker2').uid
        urls = [f'/dossiers/{find_dossier(root, name).__name__}/delegation'
                for name in ('Durand', 'Petit', 'Leroy')]
    until = portal.clock.now().date().isoformat()
    server = LiveServer(portal.wsgi)
    answers, stop = [], time.monotonic() + 4

    def tab(url):
        while time.monotonic() < stop:
            answers.append(post(server.url + url, cookie,
                                {'csrf_token': token, 'delegate': worker2, 'until': until}))

    try:
        tabs = [threading.Thread(target=tab, args=(url,)) for url in urls]
        for t in tabs:
            t.start()
        for t in tabs:
            t.join()
    finally:
        server.stop()
    assert len(answers) > 30
    statuses = {status for status, _body in answers}
    bare = [body for status, body in answers if status >= 500 and FRENCH_500 not in body]
    assert not bare, bare[:1]
    assert statuses <= {303, 500}, statuses
