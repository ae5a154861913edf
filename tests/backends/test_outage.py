"""A storage outage under writers (docs/operations.md, "Storage outages"): the ZEO server
is killed (SIGKILL) while people save notes, left down for a while or
restarted at once, on the same port and files.

The portal is served over real HTTP by waitress (4 threads, as in zeo.ini);
each writer is a person with their own session, saving notes one after the
other, each note carrying a marker of its own.  A reader opens the login
page meanwhile.  Throughout:

* every answer comes within :data:`LIMIT` seconds, outage or not (the portal
  waits ``portail.storage_wait_seconds`` for its storage, then answers);
* no answer is a 500: a request that meets the outage gets the French 503
  page, with ``Retry-After``, saying whether its change may have been
  recorded;
* once the server is back the portal works again by itself: every writer
  gets its notes acknowledged again (303);
* afterwards, every acknowledged note exists exactly once, no note exists
  twice, a change the 503 page said was not saved does not exist, and every
  note has exactly one journal entry of its creation and the journal none
  for a note that does not exist;
* a person told that their note was not recorded, or may have been, sends the
  same form again, with its one-time key (:mod:`portail.formkeys`): the note
  is then recorded (303) or said to be already recorded (409, only after
  "may have been"), and exists once.
"""
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import date
from http.cookiejar import CookieJar

import transaction
from persistent.mapping import PersistentMapping

from portail.demo import DEMO_PASSWORD
from portail.journal import outbox
from portail.journal.model import JOURNAL_DB, ROOT_KEY
from portail.models.dossier import Dossier
from portail.models.user import User
from tests.backends.servers import close_databases
from tests.browser.server import LiveServer
from tests.conftest import Portal, accept_charter

#: the people saving notes at once (others read the login page)
WRITER_LOGINS = ('redactrice0', 'redactrice1', 'redactrice2')
#: the longest any answer may take, in seconds: the storage wait (3 s by
#: default) with room for a loaded machine; a request that hung until the
#: server came back (the outage below is longer) or retried its wait would
#: exceed it
LIMIT = 7.5
#: the outages: seconds between the kill and the restart.  A long one, then
#: quick restarts, which catch commits in flight
OUTAGES = (9, 0.5, 0)
#: acknowledged notes each writer needs before an outage, and after a restart
#: to show the portal has recovered by itself
ACKNOWLEDGED = 2
#: how long the portal may take to recover after a restart
RECOVERY = 60
#: the page of a request that met the outage
UNAVAILABLE_TITLE = 'Service momentanément indisponible'
MAY_BE_RECORDED = 'a peut-être été enregistrée'
NOT_RECORDED = 'n’a pas été enregistrée'
ALREADY_RECORDED = 'Cette action a déjà été enregistrée'


@dataclass
class Answer:
    method: str
    path: str
    status: int
    text: str
    headers: dict
    seconds: float
    marker: str = ''


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kw):
        return None


class HttpUser:
    """One person's browser over HTTP: cookies, no redirect following."""

    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect())
        self.token = None

    def request(self, method, path, fields=None):
        data = urllib.parse.urlencode(fields).encode() if fields is not None else None
        started = time.monotonic()
        try:
            request = urllib.request.Request(  # noqa: S310 (http://127.0.0.1 only)
                self.base + path, data=data, method=method)
            with self.opener.open(request, timeout=300) as r:
                status, text, headers = r.status, r.read().decode(), dict(r.headers)
        except urllib.error.HTTPError as error:
            status, text, headers = error.code, error.read().decode(), dict(error.headers)
        return Answer(method, path, status, text, headers, time.monotonic() - started)

    def log_in(self, login):
        page = self.request('GET', '/login')
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        answer = self.request('POST', '/login', {'login': login, 'password': DEMO_PASSWORD,
                                                 'csrf_token': token})
        assert answer.status == 303, answer.text
        page = self.request('GET', '/notice')
        self.token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


class Writers:
    """The people at work until :meth:`stop`: ``WRITER_LOGINS`` saving notes,
    each on a dossier of their own (an account has one session at a time),
    and readers opening the login page (:meth:`read`)."""

    def __init__(self, base, caseload):
        self.answers = []
        self.failures = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = []
        #: each writer's browser and the path of her dossier
        self.desks = []
        for login, dossier in caseload.items():
            user = HttpUser(base)
            user.log_in(login)
            self.desks.append((user, f'/dossiers/{dossier}/'))
            self._start(self._write, user, f'/dossiers/{dossier}/add-note', login)
        self.read(base, self.stopping)

    def read(self, base, stopping):
        """Open the login page of ``base`` again and again until ``stopping``
        is set; return the reader's thread."""
        return self._start(self._read, HttpUser(base), stopping)

    def _start(self, target, *args):
        thread = threading.Thread(target=self._guarded, args=(target, *args))
        self.threads.append(thread)
        thread.start()
        return thread

    def _guarded(self, target, *args):
        try:
            target(*args)
        except BaseException as error:  # noqa: BLE001 (reported by stop)
            self.failures.append(error)

    def _write(self, user, path, login):
        count = 0
        while not self.stopping.is_set():
            count += 1
            marker = f'{login}-n{count}'
            form = {'csrf_token': user.token, 'form_key': f'key-{marker}',
                    'text': f'Note {marker}.', 'submit': 'submit'}
            while True:
                answer = user.request('POST', path, form)
                answer.marker = marker
                with self.lock:
                    self.answers.append(answer)
                time.sleep(0.05)
                # Told that the note was not recorded, or may have been, the
                # person sends the same form again (its one-time key with it)
                if answer.status != 503 or self.stopping.is_set():
                    break

    def _read(self, user, stopping):
        while not stopping.is_set() and not self.stopping.is_set():
            answer = user.request('GET', '/login')
            with self.lock:
                self.answers.append(answer)
            time.sleep(0.2)

    def acknowledged(self, since=0):
        """How many notes each writer had acknowledged among the answers from
        ``since`` on."""
        with self.lock:
            answers = self.answers[since:]
        counts = {}
        for answer in answers:
            if answer.status == 303:
                writer = answer.marker.rsplit('-', 1)[0]
                counts[writer] = counts.get(writer, 0) + 1
        return [counts.get(login, 0) for login in WRITER_LOGINS]

    def wait_for_acknowledgements(self, since=0):
        deadline = time.monotonic() + RECOVERY
        while min(self.acknowledged(since)) < ACKNOWLEDGED:
            assert not self.failures, self.failures
            assert time.monotonic() < deadline, (
                f'the portal did not recover within {RECOVERY} s: {self.summary(since)}')
            time.sleep(0.1)

    def summary(self, since=0):
        with self.lock:
            return sorted({(a.method, a.status) for a in self.answers[since:]})

    def open_dossiers(self):
        """Once stopped: each writer opens her dossier until the page is
        shown (its read journaled), within :data:`RECOVERY`."""
        deadline = time.monotonic() + RECOVERY
        for user, path in self.desks:
            while (page := user.request('GET', path)).status != 200:
                assert page.status == 503, (page.status, page.text[:300])
                assert time.monotonic() < deadline, 'the journal did not come back'
                time.sleep(0.1)

    def stop(self):
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=2 * RECOVERY)
        assert not any(thread.is_alive() for thread in self.threads), 'a writer is stuck'
        if self.failures:
            raise self.failures[0]


def add_writers(portal):
    """An account per writer (the charter accepted), référent of a dossier of its
    own: {login: dossier id}."""
    caseload = {}
    with portal.root() as root:
        model = root.users.find_login('worker1')
        for login in WRITER_LOGINS:
            user = User(login, f'Rédactrice {login[-1]}', ('worker',), model.district)
            user.password_hash = model.password_hash
            user.password_changed_at = portal.clock.now()
            user.must_change_password, user.password_never_expires = False, True
            root.users.add_user(user)
            accept_charter(root, user)
            dossier = Dossier(user.district, user.uid)
            dossier.last_name, dossier.first_names = f'Panne{login[-1]}', 'Camille'
            dossier.birth_date = date(1990, 1, 1)
            dossier.created_at = portal.clock.now()
            root.dossiers.add_dossier(dossier)
            caseload[login] = dossier.__name__
    return caseload


def notes_and_creations(portal, dossiers):
    """What the database holds of ``dossiers``: ``{marker: [note ids]}``,
    ``{note id: creation entries in the journal}`` and the set of note ids."""
    markers, creations, names = {}, {}, set()
    with portal.root() as root:
        journal = root._p_jar.get_connection(JOURNAL_DB).root()[ROOT_KEY]
        for dossier_name in dossiers:
            for name, note in root.dossiers[dossier_name].notes.items():
                names.add(name)
                marker = re.search(r'redactrice\d-n\d+', note.text).group(0)
                markers.setdefault(marker, []).append(name)
            for entry in journal.chains[dossier_name].values():
                if entry.object.startswith('note:') and entry.action == 'create':
                    name = entry.object.split(':', 1)[1]
                    creations[name] = creations.get(name, 0) + 1
        transaction.abort()
    return markers, creations, names


def waiting_creations(portal):
    """The notes whose creation entry waits in the outbox."""
    waiting = set()
    with portal.root() as root:
        for _, entries in outbox.records(outbox.outbox_of(root._p_jar.root())):
            for entry in entries:
                obj, action = entry[4:6]  # see portail.journal.outbox
                if obj.startswith('note:') and action == 'create':
                    waiting.add(obj.split(':', 1)[1])
        transaction.abort()
    return waiting


def test_zeo_killed_and_restarted_under_writers(zeo_server, make_portal):
    portal = make_portal(zeo_server.settings())
    caseload = add_writers(portal)
    server = LiveServer(portal.wsgi)
    writers = Writers(server.url, caseload)
    try:
        writers.wait_for_acknowledgements()
        for outage in OUTAGES:
            # Another process of the portal that has read nothing yet: during
            # the outage, its pages need the server (the first one's are in
            # its caches), so it waits for it, then gives up
            cold = Portal(zeo_server.settings())
            cold_server = LiveServer(cold.wsgi)
            stopping = threading.Event()
            zeo_server.kill()
            reader = writers.read(cold_server.url, stopping)
            time.sleep(outage)
            zeo_server.start()
            writers.wait_for_acknowledgements(since=len(writers.answers))
            stopping.set()
            reader.join(timeout=RECOVERY)
            cold_server.stop()
            close_databases(cold.registry)
        writers.stop()
        # The journal database's client may connect again after the main
        # one's: a note acknowledged meanwhile has its creation entry waiting
        # in the outbox, committed with it
        markers, creations, names = notes_and_creations(portal, caseload.values())
        assert names <= set(creations) | waiting_creations(portal), \
            'a note with its journal entry neither in the journal nor in the outbox'
        # and the writer's next batch moves it: the entry of the page a
        # writer opens next, or any other
        writers.open_dossiers()
    finally:
        writers.stop()
        server.stop()

    answers = writers.answers
    print(f'\n{len(answers)} answers: {writers.summary()}; slowest '
          f'{max(a.seconds for a in answers):.1f} s; 503 "not recorded" '
          f'{sum(NOT_RECORDED in a.text for a in answers)}, "may have been recorded" '
          f'{sum(MAY_BE_RECORDED in a.text for a in answers)}')
    slow = [(a.method, a.status, round(a.seconds, 1)) for a in answers if a.seconds >= LIMIT]
    assert not slow, f'answers slower than {LIMIT} s: {slow}'
    assert not [a for a in answers if a.status >= 500 and a.status != 503], \
        [(a.method, a.status, a.text[:300]) for a in answers if a.status >= 500]
    assert {a.status for a in answers if a.method == 'POST'} <= {303, 409, 503}
    assert {a.status for a in answers if a.method == 'GET'} <= {200, 503}
    unavailable = [a for a in answers if a.status == 503]
    assert unavailable, 'no request met the outage'
    for answer in unavailable:
        assert UNAVAILABLE_TITLE in answer.text, answer.text
        assert answer.headers.get('Retry-After', '').isdigit(), answer.headers

    markers, creations, names = notes_and_creations(portal, caseload.values())
    assert {m: n for m, n in markers.items() if len(n) > 1} == {}, 'a note was stored twice'
    unknown_and_absent = 0
    outcomes = {}
    for answer in answers:
        if answer.method == 'POST':
            outcomes.setdefault(answer.marker, []).append(answer)
    sent_again = 0
    for marker, sent in outcomes.items():
        stored = len(markers.get(marker, ()))
        last = sent[-1]
        sent_again += len(sent) > 1
        assert all(a.status == 503 for a in sent[:-1]), marker
        if last.status in (303, 409):
            assert stored == 1, f'{marker} acknowledged ({last.status}) is not stored'
            if last.status == 409:  # only a change that may have been recorded was
                assert ALREADY_RECORDED in last.text, last.text
                assert any(MAY_BE_RECORDED in a.text for a in sent[:-1]), marker
        elif NOT_RECORDED in last.text:
            assert stored == 0, f'{marker} said not recorded, yet it is'
        else:
            assert MAY_BE_RECORDED in last.text, last.text
            unknown_and_absent += stored == 0
    print(f'{sent_again} notes sent again after a 503; '
          f'{sum(a.status == 409 for a in answers)} answered "already recorded"')
    assert {name: n for name, n in creations.items() if n != 1} == {}, \
        'a note journaled twice'
    assert names <= set(creations), 'a note without its journal entry'
    # A commit cut in its second phase may have been recorded by the journal
    # database (which finishes first) and not by the main one: the entry of a
    # note that does not exist.  Only then (the journal outbox removes even that).
    assert len(set(creations) - names) <= unknown_and_absent, \
        'a journal entry for a note that does not exist'


def test_a_restarted_server_gives_no_object_id_twice(zeo_server, make_portal):
    """ZEO's client reserves object ids from its server a hundred at a time.
    A restarted server hands out again every id no commit used, the ones the
    client still holds too: a commit creating more objects than it holds gave
    two of them the same id (``ValueError: A different object already has the
    same oid``, a 500 after a restart).  The client forgets them when it
    connects again."""
    portal = make_portal(zeo_server.settings(), demo=False)
    storage = portal.db.storage
    manager = transaction.TransactionManager(explicit=True)
    connection = portal.db.open(transaction_manager=manager)
    with manager:
        connection.root()['probe'] = PersistentMapping()
    while not storage._oids:  # the premise: ids reserved, not used yet
        with manager:
            connection.root()['probe'][len(connection.root()['probe'])] = PersistentMapping()

    zeo_server.kill()
    zeo_server.start()
    deadline = time.monotonic() + RECOVERY
    while not storage.is_connected():
        assert time.monotonic() < deadline, 'the client did not reconnect'
        time.sleep(0.05)

    with manager:
        many = connection.root()['probe']
        for number in range(1000, 1150):  # more than the client can hold
            many[number] = PersistentMapping(number=number)
    connection.close()
    with portal.root() as root:
        probe = root._p_jar.root()['probe']
        created = [probe[number] for number in range(1000, 1150)]
        assert [mapping['number'] for mapping in created] == list(range(1000, 1150))
        assert len({mapping._p_oid for mapping in created}) == 150
