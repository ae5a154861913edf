"""Backup and restore with ``repozo`` (README, "Backups"), on the FileStorage
files of a running portal: a full backup, a change, an incremental backup,
another change, then a restore into new files, which must hold exactly the
state of the last backup: the same bytes as the files had at that moment,
the pages users see, and an intact access journal."""
import hashlib
import subprocess
import sys
import time

import transaction

from portail.journal.key import journal_key_of
from portail.journal.model import JOURNAL_DB, ROOT_KEY
from portail.journal.verify import verify
from tests.backends.servers import file_settings
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
