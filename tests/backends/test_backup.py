"""Backup and restore with ``repozo`` (docs/operations.md, "Backups"), on the FileStorage
files of a running portal:

* a full backup, a change, an incremental backup, another change, then a
  restore into new files, which must hold exactly the state of the last
  backup: the same bytes as the files had at that moment, the pages users
  see, and an intact access journal;
* ``make backup`` while people write: the restored journal holds no entry
  for a change the restored data lacks."""
import hashlib
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import transaction

from portail.journal.key import journal_key_of
from portail.journal.model import JOURNAL_DB, ROOT_KEY
from portail.journal.verify import verify
from tests.backends.servers import PROJECT, file_settings
from tests.backends.test_outage import add_writers
from tests.conftest import find_dossier, logged_in
from tests.test_contracts import dossier_url, new_contract

#: the databases to back up: the portal, the sessions (the session store must
#: exist: an empty Sessions.fs is not recreated) and the access journal
BACKED_UP = ('Data', 'Sessions', 'Journal')


def repozo(*args):
    """Run the ``repozo`` command of ZODB; return its output."""
    done = subprocess.run([sys.executable, '-m', 'ZODB.scripts.repozo', *args],  # noqa: S603
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


def backup(var, repository, full=False):
    for name in BACKED_UP:
        (repository / name).mkdir(parents=True, exist_ok=True)
        repozo('-B', '-z', *(['-F'] if full else []), '-v', '-r', str(repository / name),
               '-f', str(var / f'{name}.fs'))


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def new_contract_with(portal, browser, marker):
    created = new_contract(browser, dossier_url(portal, 'Durand'), 'paper', actions=marker)
    assert created.status_int == 303


def test_backup_change_restore_and_compare(tmp_path, make_portal):
    var, repository, restored = tmp_path / 'var', tmp_path / 'backups', tmp_path / 'restored'
    var.mkdir()
    portal = make_portal(file_settings(var))
    worker = logged_in(portal, 'worker1')
    new_contract_with(portal, worker, 'AVANT-LA-SAUVEGARDE')
    backup(var, repository, full=True)

    new_contract_with(portal, worker, 'ENTRE-LES-SAUVEGARDES')
    # repozo names its files by the second: two backups within one second
    # would share a name and the restore would miss the second one
    time.sleep(1.1)
    backup(var, repository)  # incremental: only what was appended since
    assert len(list((repository / 'Data').glob('*.deltafsz'))) == 1
    at_backup = {name: digest(var / f'{name}.fs') for name in BACKED_UP}
    durand = dossier_url(portal, 'Durand')
    worker.get(durand)  # shows (and clears) the message of the last creation
    page_at_backup = worker.get(durand).html.select_one('main').text

    new_contract_with(portal, worker, 'APRES-LA-SAUVEGARDE')  # lost by the restore

    restored.mkdir()
    for name in BACKED_UP:
        repozo('-R', '-v', '-r', str(repository / name), '-o', str(restored / f'{name}.fs'))
        assert digest(restored / f'{name}.fs') == at_backup[name], name

    back = make_portal(file_settings(restored), demo=False)
    worker = logged_in(back, 'worker1')
    page = worker.get(durand)
    assert page.html.select_one('main').text == page_at_backup
    with back.root() as root:
        actions = [c.actions for c in find_dossier(root, 'Durand').contracts.values()]
        assert 'AVANT-LA-SAUVEGARDE' in actions and 'ENTRE-LES-SAUVEGARDES' in actions
        assert 'APRES-LA-SAUVEGARDE' not in actions
        journal = root._p_jar.get_connection(JOURNAL_DB).root()[ROOT_KEY]
        assert verify(journal, journal_key_of(back.registry)) is None
        chain = journal.chains[find_dossier(root, 'Durand').__name__]
        assert [e.action for e in chain.values()].count('transition:draft') == 3
        transaction.abort()


def make_backup(var, repository):
    """``make backup`` itself (its order is what is tested), with this
    interpreter's commands; the installation is taken as done."""
    done = subprocess.run(  # noqa: S603 (fixed argv)
        ['make', '-s', '-o', 'install', 'backup', f'STORAGE_DIR={var}',  # noqa: S607
         f'BACKUP_DIR={repository}', f'BIN={Path(sys.executable).parent}'],
        cwd=PROJECT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


class NoteWriters:
    """People saving notes on their dossiers, each in a thread, until :meth:`stop`."""

    def __init__(self, portal, caseload):
        self.portal = portal
        self.stopping = threading.Event()
        self.failures = []
        self.saved = 0
        self.threads = [threading.Thread(target=self._write, args=(login, dossier))
                        for login, dossier in caseload.items()]
        for thread in self.threads:
            thread.start()

    def _write(self, login, dossier):
        try:
            browser = logged_in(self.portal, login)
            token = browser.csrf()
            count = 0
            while not self.stopping.is_set():
                count += 1
                answer = browser.post(f'/dossiers/{dossier}/add-note', {
                    'csrf_token': token, 'text': f'Note {login} {count}.', 'submit': 'submit'})
                assert answer.status_int == 303, answer.text
                self.saved += 1
        except BaseException as error:  # noqa: BLE001 (reported by stop)
            self.failures.append(error)

    def wait_for(self, saved):
        while self.saved < saved:
            assert not self.failures, self.failures
            time.sleep(0.01)

    def stop(self):
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=60)
        if self.failures:
            raise self.failures[0]


@pytest.mark.parametrize('storage', ['file', 'zeo'])
def test_a_backup_under_writers_restores_no_entry_without_its_change(
        storage, request, tmp_path, make_portal):
    """``make backup`` while people save notes, then a restore: the restored
    journal records the creation of no note the restored data lacks.  Each
    file is copied up to its last commit, one after the other: the journal
    must be copied first (Makefile, "backup").  On the files of the portal,
    and on those of a ZEO server (which finishes a commit in the journal
    first)."""
    repository, restored = tmp_path / 'backups', tmp_path / 'restored'
    if storage == 'zeo':
        server = request.getfixturevalue('zeo_server')
        var = server.directory / 'var' / 'zeo'
        portal = make_portal(server.settings())
    else:
        var = tmp_path / 'var'
        var.mkdir()
        portal = make_portal(file_settings(var))
    caseload = add_writers(portal)
    writers = NoteWriters(portal, caseload)
    try:
        writers.wait_for(6)
        before = writers.saved
        make_backup(var, repository)
        during = writers.saved - before
    finally:
        writers.stop()
    assert during > 0, 'nobody wrote during the backup'

    restored.mkdir()
    for name in BACKED_UP:
        repozo('-R', '-v', '-r', str(repository / name), '-o', str(restored / f'{name}.fs'))
    back = make_portal(file_settings(restored), demo=False)
    with back.root() as root:
        journal = root._p_jar.get_connection(JOURNAL_DB).root()[ROOT_KEY]
        assert verify(journal, journal_key_of(back.registry)) is None
        for dossier in caseload.values():
            notes = set(root.dossiers[dossier].notes.keys())
            journaled = {entry.object.split(':', 1)[1]
                         for entry in journal.chains[dossier].values()
                         if entry.object.startswith('note:') and entry.action == 'create'}
            assert journaled - notes == set(), 'an entry for a note the restore lacks'
        transaction.abort()
    print(f'\n{during} notes saved during the backup')
