"""A lost storage (docs/operations.md, "Storage outages"), on the in-memory portal: ZEO's
``ClientDisconnected`` is raised where a real outage raises it (a view
loading an object, a commit's vote or second phase, the security policy
before the view), and the request gets the French 503 page at once, with
``Retry-After``, without being run again, saying whether a form's action
may have been recorded.  With a real ZEO server killed under writers:
tests/backends/test_outage.py."""
import pytest
from pyramid.interfaces import IContextFound
from pyramid.paster import get_appsettings
from pyramid_retry import IBeforeRetry
from ZEO.Exceptions import ClientDisconnected

from portail.acl.policy import PortalSecurityPolicy
from portail.outage import with_wait_timeout
from portail.settings import parse_settings
from tests.backends.servers import PROJECT
from tests.conftest import find_dossier, logged_in

TITLE = 'Service momentanément indisponible'
NOT_RECORDED = 'Votre dernière action n’a pas été enregistrée'
MAY_BE_RECORDED = 'elle a peut-être été enregistrée'


class Attempts:
    """Counts the attempts of the requests matching ``method`` (``IContextFound``
    is notified once per attempt) and the retries (``IBeforeRetry``); calls
    ``act(request)`` on each attempt."""

    def __init__(self, registry, method, act):
        self.registry, self.method, self.act = registry, method, act
        self.attempts = 0
        self.retries = 0
        registry.registerHandler(self.found, (IContextFound,))
        registry.registerHandler(self.retried, (IBeforeRetry,))

    def found(self, event):
        if event.request.method == self.method:
            self.attempts += 1
            self.act(event.request)

    def retried(self, event):
        self.retries += 1

    def close(self):
        self.registry.unregisterHandler(self.found, (IContextFound,))
        self.registry.unregisterHandler(self.retried, (IBeforeRetry,))


@pytest.fixture
def attempts(portal):
    made = []

    def make(method, act):
        made.append(Attempts(portal.registry, method, act))
        return made[-1]

    yield make
    for watcher in made:
        watcher.close()


class LostInPhase:
    """A resource of the request's transaction whose storage goes away in
    ``phase`` of the commit; it sorts after the portal's databases, so in the
    second phase (``tpc_finish``) they have recorded the transaction."""

    def __init__(self, phase):
        self.phase = phase
        self.transaction_manager = None

    def sortKey(self):  # noqa: N802 (ZODB's interface)
        return '~lost'

    def _maybe(self, phase):
        if phase == self.phase:
            raise ClientDisconnected('the server went away')

    def abort(self, transaction):
        pass

    def tpc_begin(self, transaction):
        self._maybe('tpc_begin')

    def commit(self, transaction):
        pass

    def tpc_vote(self, transaction):
        self._maybe('tpc_vote')

    def tpc_finish(self, transaction):
        self._maybe('tpc_finish')

    def tpc_abort(self, transaction):
        pass


def lose_storage_in(phase):
    return lambda request: request.tm.get().join(LostInPhase(phase))


def assert_unavailable(page):
    assert page.status_int == 503
    assert TITLE in page.text
    assert page.headers['Retry-After'].isdigit()
    assert 'Traceback' not in page.text and 'ClientDisconnected' not in page.text


def notes_of_durand(portal):
    with portal.root() as root:
        return sorted(note.text for note in find_dossier(root, 'Durand').notes.values())


def save_a_note(portal, worker, text):
    with portal.root() as root:
        url = f'/dossiers/{find_dossier(root, "Durand").__name__}/add-note'
    form = worker.get(url).forms['form']
    form['text'] = text
    return form.submit(status='*')


def test_a_page_that_cannot_load_its_objects_answers_503_at_once(portal, attempts):
    worker = logged_in(portal, 'worker1')

    def lose(request):
        raise ClientDisconnected('timed out waiting for connection')

    watch = attempts('GET', lose)
    page = worker.get('/', status=503)
    assert_unavailable(page)
    assert 'Réessayez dans un instant' in page.text
    assert 'enregistrée' not in page.text  # a page, not an action
    assert (watch.attempts, watch.retries) == (1, 0)


def test_a_commit_cut_before_its_second_phase_records_nothing_and_says_so(portal, attempts):
    worker = logged_in(portal, 'worker1')
    before = notes_of_durand(portal)
    watch = attempts('POST', lose_storage_in('tpc_vote'))
    page = save_a_note(portal, worker, 'Coupée au vote.')
    assert_unavailable(page)
    assert NOT_RECORDED in page.text
    assert (watch.attempts, watch.retries) == (1, 0)
    assert notes_of_durand(portal) == before


def test_a_commit_cut_in_its_second_phase_is_never_applied_twice(portal, attempts):
    """The databases that finished first have recorded the note: a retry
    would store it a second time.  The page says it may have been recorded."""
    worker = logged_in(portal, 'worker1')
    before = notes_of_durand(portal)
    watch = attempts('POST', lose_storage_in('tpc_finish'))
    page = save_a_note(portal, worker, 'Coupée en fin de validation.')
    assert_unavailable(page)
    assert MAY_BE_RECORDED in page.text
    assert 'vérifiez si elle l’a été avant de la refaire' in page.text
    assert (watch.attempts, watch.retries) == (1, 0)
    assert notes_of_durand(portal) == sorted([*before, 'Coupée en fin de validation.'])


def test_a_storage_lost_before_the_view_answers_503_too(portal, attempts, monkeypatch):
    """pyramid_tm asks for the user before the view, outside the exception
    views: the error escapes to the outermost tween, which renders it."""
    worker = logged_in(portal, 'worker1')
    watch = attempts('GET', lambda request: None)

    def lose(self, request):
        raise ClientDisconnected('timed out waiting for connection')

    monkeypatch.setattr(PortalSecurityPolicy, 'authenticated_userid', lose)
    page = worker.get('/', status=503)
    assert_unavailable(page)
    assert watch.retries == 0


def test_every_zeo_client_waits_the_storage_wait_of_the_settings():
    settings = parse_settings(get_appsettings(str(PROJECT / 'zeo.ini'), 'main'))
    uris = [settings[key] for key in ('zodbconn.uri', 'zodbconn.uri.sessions',
                                      'zodbconn.uri.journal')]
    assert all(uri.endswith('&wait_timeout=3') for uri in uris), uris
    settings = parse_settings({'zodbconn.uri': 'zeo://127.0.0.1:8100?storage=main',
                               'portail.storage_wait_seconds': '5'})
    assert settings['zodbconn.uri'] == 'zeo://127.0.0.1:8100?storage=main&wait_timeout=5'
    with pytest.raises(ValueError, match='at least 1'):
        parse_settings({'portail.storage_wait_seconds': '0'})


@pytest.mark.parametrize(('uri', 'expected'), [
    ('zeo://h:1', 'zeo://h:1?wait_timeout=3'),
    ('zeo://h:1?storage=main&wait_timeout=9', 'zeo://h:1?storage=main&wait_timeout=9'),
    ('zeo:///var/zeo.sock?storage=main', 'zeo:///var/zeo.sock?storage=main&wait_timeout=3'),
    ('file://var/Data.fs', 'file://var/Data.fs'),
    ('memory://', 'memory://'),
])
def test_a_uri_keeps_its_own_wait_and_other_storages_have_none(uri, expected):
    assert with_wait_timeout(uri, 3) == expected
