"""A server killed with ``kill -9`` during a burst of writes leaves no change
without its journal entry, and no page that was sent without its read entry
(issue 14).

Each run serves a copy of an initialised FileStorage site with a real
server process (``tests/crash_server.py``), has four browsers of a worker
write notes on four dossiers and read each note back, kills the process at
one moment of a commit (or after a delay), starts it again, stops it, and
then reads the storage files: every note the killed server committed has
exactly one ``create`` entry in its dossier's chain, every note page a
browser received has its ``read`` entry, the outbox is empty and
``portail-journal verify`` finds the journal intact.
"""
import contextlib
import http.cookiejar
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
import ZODB
from ZODB.FileStorage import FileStorage

from portail.demo import DEMO_PASSWORD
from portail.journal.model import ROOT_KEY as JOURNAL_ROOT
from portail.models.root import ROOT_KEY
from portail.scripts import init, journal
from tests.conftest import accept_charter
from tests.test_scripts import INI

HARNESS = Path(__file__).with_name('crash_server.py')
#: the browsers of one run, each writing on its own dossier
BROWSERS = 4
#: the outbox's key in the main database's root mapping (portail.journal.outbox)
OUTBOX_KEY = 'portail_journal_outbox'
#: the ids of the records already moved, in the journal database's root mapping
MOVED_KEY = 'portail_journal_moved'
#: a run waits this long for the paused commit, or for the server to start
PATIENCE = 30


class Server:
    """The portal of ``ini`` in its own process, serving on a free port."""

    def __init__(self, ini, pause_file=None, env=None):
        args = [sys.executable, str(HARNESS), str(ini)] + ([str(pause_file)] if pause_file else [])
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL,  # noqa: S603
                                        stderr=subprocess.PIPE, text=True, env=env)
        self.lines = []
        self.serving = threading.Event()
        self.paused = threading.Event()
        self.port = None
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        if not self.serving.wait(PATIENCE):
            self.kill()
            raise AssertionError(''.join(self.lines))
        self.url = f'http://127.0.0.1:{self.port}'

    def _read(self):
        for line in self.process.stderr:
            self.lines.append(line)
            if line.startswith('Serving on'):
                self.port = int(line.split()[-1])
                self.serving.set()
            elif line.startswith('PAUSED'):
                self.paused.set()

    def kill(self):
        """``kill -9``: no clean-up of any kind in the server."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.reader.join(5)

    def stop(self):
        self.process.terminate()
        self.process.wait()
        self.reader.join(5)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kw):
        return None


class Client:
    """A browser of the real server: its own cookies, no redirect followed."""

    def __init__(self, url):
        self.url = url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect())
        self.csrf_token = None

    def request(self, path, fields=None):
        """``(status, headers, body)``; the body only once wholly received."""
        data = None if fields is None else urllib.parse.urlencode(fields).encode()
        try:
            with self.opener.open(self.url + path, data, timeout=PATIENCE) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.headers, error.read().decode()

    def login(self, login):
        _status, _headers, page = self.request('/login')
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        status, _headers, _page = self.request(
            '/login', {'csrf_token': token, 'login': login, 'password': DEMO_PASSWORD})
        assert status == 303
        # the session, and its token, are new once logged in
        _status, _headers, page = self.request('/notice')
        self.csrf_token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def write_note(self, dossier, text):
        """Create a note; return its name once the server said where it is."""
        status, headers, _page = self.request(
            f'/dossiers/{dossier}/add-note',
            {'_charset_': 'UTF-8', '__formid__': 'form', 'csrf_token': self.csrf_token,
             'text': text, 'submit': 'submit'})
        assert status == 303, status
        return headers['Location'].rstrip('/').rsplit('/', 1)[-1]

    def read_note(self, dossier, name, text):
        """Whether the note's page was received, its text in it."""
        status, _headers, page = self.request(f'/dossiers/{dossier}/notes/{name}/')
        return status == 200 and text in page


class Burst:
    """Browsers writing then reading notes until the server goes away."""

    def __init__(self, url, dossiers):
        self.clients = [Client(url) for _ in dossiers]
        for client in self.clients:
            client.login('worker1')
        self.dossiers = dossiers
        self.received = Counter()  # (dossier, note) -> note pages received
        self.acknowledged = []  # (dossier, note) whose creation was answered
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._write, args=(client, dossier), daemon=True)
                        for client, dossier in zip(self.clients, dossiers, strict=True)]

    def start(self):
        for thread in self.threads:
            thread.start()

    def join(self):
        for thread in self.threads:
            thread.join(PATIENCE)

    def _write(self, client, dossier):
        n = 0
        with contextlib.suppress(OSError, AssertionError):  # the server was killed
            while True:
                n += 1
                text = f'Note {n} of the burst on {dossier}'
                name = client.write_note(dossier, text)
                with self.lock:
                    self.acknowledged.append((dossier, name))
                if client.read_note(dossier, name, text):
                    with self.lock:
                        self.received[dossier, name] += 1


def notes_of(data_fs, dossiers):
    """``{dossier: set of note names}`` and the outbox's length, from the file."""
    db = ZODB.DB(FileStorage(str(data_fs), read_only=True))
    try:
        with db.transaction() as conn:
            root = conn.root()[ROOT_KEY]
            notes = {d: set(root.dossiers[d].notes) for d in dossiers}
            return notes, len(set(conn.root().get(OUTBOX_KEY, ())) - {''})
    finally:
        db.close()


def entries_of(journal_fs, dossiers):
    """``{dossier: Counter of (action, object)}`` of the dossiers' chains."""
    db = ZODB.DB(FileStorage(str(journal_fs), read_only=True))
    try:
        with db.transaction() as conn:
            chains = conn.root()[JOURNAL_ROOT].chains
            return {d: Counter((e.action, e.object) for e in chains[d].values())
                    if d in chains else Counter() for d in dossiers}
    finally:
        db.close()


@pytest.fixture(scope='module')
def pristine(tmp_path_factory):
    """An initialised site with the demo département, and four of worker1's dossiers."""
    folder = tmp_path_factory.mktemp('crash')
    (folder / 'var').mkdir()
    ini = folder / 'portail.ini'
    ini.write_text(INI.format(var=folder / 'var'))
    with contextlib.redirect_stdout(io.StringIO()):
        assert init.main([str(ini), '--demo']) == 0
    # the demo's staff have accepted the confidentiality charter (tests/conftest.py)
    db = ZODB.DB(FileStorage(str(folder / 'var' / 'Data.fs')))
    try:
        with db.transaction() as conn:
            root = conn.root()[ROOT_KEY]
            accept_charter(root, *root.users.values())
    finally:
        db.close()
    db = ZODB.DB(FileStorage(str(folder / 'var' / 'Data.fs'), read_only=True))
    try:
        with db.transaction() as conn:
            root = conn.root()[ROOT_KEY]
            worker = root.users.find_login('worker1')
            dossiers = sorted(d.__name__ for d in root.dossiers.of_referent(worker.uid))
    finally:
        db.close()
    assert len(dossiers) >= BROWSERS
    env = dict(os.environ, CHAMELEON_CACHE=str(tmp_path_factory.mktemp('templates')))
    return folder, dossiers[:BROWSERS], env


#: when each run kills the server: in a commit, just before or just after a
#: storage finishes its N-th commit of a request (or of the journal writer)
#: once the burst has begun, or after a delay; and what the outbox then holds
KILLS = [
    # a note committed, its entry not yet moved: the outbox holds it
    (('after', 'Data.fs', 3, 'request'), 'unmoved'),
    # the writer's journal commit cut short
    (('before', 'Journal.fs', 3, 'any'), None),
    # entries in the journal, their records not yet deleted from the outbox
    (('before', 'Data.fs', 2, 'writer'), 'moved'),
    (('delay', 0.7), None),
    (('delay', 1.5), None),
]


def leftovers(var):
    """``(records in the outbox, those marked moved)`` as the files hold them."""
    db = ZODB.DB(FileStorage(str(var / 'Data.fs'), read_only=True))
    try:
        with db.transaction() as conn:
            box = set(conn.root().get(OUTBOX_KEY, ())) - {''}  # less its sentinel
    finally:
        db.close()
    db = ZODB.DB(FileStorage(str(var / 'Journal.fs'), read_only=True))
    try:
        with db.transaction() as conn:
            return box, box & set(conn.root().get(MOVED_KEY, ()))
    finally:
        db.close()


@pytest.mark.parametrize(('kill', 'left'), KILLS,
                         ids=['-'.join(map(str, kill)) for kill, _left in KILLS])
def test_a_killed_server_leaves_no_change_without_its_journal_entry(pristine, tmp_path, kill,
                                                                    left):
    folder, dossiers, env = pristine
    shutil.copytree(folder / 'var', tmp_path / 'var')
    ini = tmp_path / 'portail.ini'
    ini.write_text(INI.format(var=tmp_path / 'var'))
    before, _outbox = notes_of(tmp_path / 'var' / 'Data.fs', dossiers)
    pause_file = tmp_path / 'pause'

    server = Server(ini, pause_file, env)
    try:
        burst = Burst(server.url, dossiers)
        if kill[0] == 'delay':
            burst.start()
            time.sleep(kill[1])
        else:
            pause_file.write_text(' '.join(map(str, kill)))
            burst.start()
            assert server.paused.wait(PATIENCE), ''.join(server.lines)
    finally:
        server.kill()
    burst.join()
    box, moved = leftovers(tmp_path / 'var')

    # started again, the portal journals what the killed one committed
    Server(ini, env=env).stop()

    after, outbox = notes_of(tmp_path / 'var' / 'Data.fs', dossiers)
    chains = entries_of(tmp_path / 'var' / 'Journal.fs', dossiers)
    created = {(d, n) for d in dossiers for n in after[d] - before[d]}
    assert created, 'no note was written before the kill'
    assert set(burst.acknowledged) <= created
    for dossier in dossiers:
        journaled = {o.split(':', 1)[1]: count for (action, o), count in chains[dossier].items()
                     if action == 'create' and o.startswith('note:')}
        new = after[dossier] - before[dossier]
        assert {n: journaled.get(n, 0) for n in new} == dict.fromkeys(new, 1), \
            'a committed note without exactly one create entry'
        assert set(journaled) <= after[dossier], 'a create entry of a note never committed'
    for (dossier, name), received in burst.received.items():
        assert chains[dossier][('read', f'note:{name}')] >= received, \
            'a note page was sent without its read entry'
    assert outbox == 0
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert journal.main([str(ini), 'verify']) == 0, out.getvalue()
    assert 'journal intact' in out.getvalue()
    # the kill happened where it was meant to
    if left == 'unmoved':
        assert box - moved, 'the kill was meant to leave a record not yet moved'
    elif left == 'moved':
        assert moved, 'the kill was meant to leave a record moved but not yet deleted'
