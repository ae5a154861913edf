"""Erasure reaches every file the portal writes (issue 14, part 3).

A person's dossier is filled with a canary string (a letter produced among
its content), looked up twice with
the canary in the reasons typed, opened, anchored and backed up with
``make backup``; then ``portail-retention --erase``, ``portail-journal
purge`` and ``anchor`` run and ``make backup`` runs again.  No file under
the installation (the three databases, their ``.index``, ``.old``,
``.tmp`` and ``.lock`` files, the log, the anchor file, the key, the
backups, decompressed) holds the canary in any encoding it could be
stored in.  The same scan finds it everywhere before the erasure.
"""
import gzip
import os
import shutil
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pytest
import transaction
from pyramid.paster import get_app

from portail.scripts import application, init, journal, portal_root, retention
from tests.conftest import START, Browser
from tests.test_retention import make_dossier
from tests.test_scripts import INI

PROJECT = Path(__file__).resolve().parents[1]
CANARY = 'CANARIÉQX'
LOGGING = """
[loggers]
keys = root
[handlers]
keys = file
[formatters]
keys = plain
[logger_root]
level = INFO
handlers = file
[handler_file]
class = FileHandler
args = ('{var}/portail.log', 'a', 'utf-8')
formatter = plain
[formatter_plain]
format = %(asctime)s %(levelname)s [%(name)s] %(message)s
"""


def needles(text):
    """``text`` as the bytes a file may hold it in: UTF-8 (pickles, JSON of the
    journal), UTF-16 both ways, the escapes of ASCII-only JSON and of
    pickle protocol 0, and the same for its accent-free form (the identity
    index folds accents)."""
    folded = unicodedata.normalize('NFKD', text).encode('ascii', 'ignore').decode()
    found = set()
    for form in {text, folded, text.lower(), folded.lower()}:
        found.update({form.encode('utf-8'), form.encode('utf-16-le'), form.encode('utf-16-be'),
                      form.encode('unicode_escape'), form.encode('raw_unicode_escape'),
                      form.encode('ascii', 'backslashreplace')})
    return found


def file_bytes(path):
    """The bytes of ``path``, decompressed if repozo gzipped it."""
    data = path.read_bytes()
    if data[:2] == b'\x1f\x8b':
        data = gzip.decompress(data)
    return data


def scan(folder, text=CANARY):
    """The files under ``folder`` holding ``text`` in any form of :func:`needles`."""
    forms = needles(text)
    return sorted(str(path.relative_to(folder)) for path in Path(folder).rglob('*')
                  if path.is_file() and any(form in file_bytes(path) for form in forms))


def make_backup(var, backups):
    """``make backup`` of the Makefile, on ``var`` (``-o install``: the
    environment running the tests is the installed one)."""
    done = subprocess.run(  # noqa: S603
        [shutil.which('make'), '--no-print-directory', '-o', 'install', 'backup',
         f'STORAGE_DIR={var}', f'BACKUP_DIR={backups}', f'BIN={Path(sys.executable).parent}'],
        cwd=PROJECT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


def next_second(since):
    """Wait until the clock's second has changed since ``since``: repozo names
    its files by the second (docs/operations.md, "Backups")."""
    while int(time.time()) <= int(since):
        time.sleep(0.05)


@pytest.fixture
def site(tmp_path):
    var = tmp_path / 'var'
    var.mkdir()
    ini = tmp_path / 'portail.ini'
    ini.write_text(INI.format(var=var) + f'portail.journal_anchor_file = {var}/anchors.txt\n'
                   + LOGGING.format(var=var))
    assert init.main([str(ini), '--demo']) == 0
    return str(ini), var, tmp_path / 'backups'


def lookup(browser, reason):
    form = browser.get('/dossiers/lookup').forms['form']
    form['last_name'], form['first_names'] = f'{CANARY}NAME', f'{CANARY}FIRST'
    form['birth_date'] = '1950-01-01'
    form['reason'] = reason
    page = form.submit()
    assert f'{CANARY}NAME' in page.text  # found


def dossier_to_erase(ini):
    """Add the canary's dossier, its erasure accepted; return its id."""
    with application(ini) as registry, portal_root(registry, 'test data') as root:
        worker = root.users.find_login('worker1')
        dossier, _contract, request = make_dossier(root, registry, CANARY, worker, START)
        request.status = 'accepted'
        return dossier.__name__


def test_no_byte_of_an_erased_person_is_left_in_any_file(site, capsys):
    ini, var, backups = site
    name = dossier_to_erase(ini)
    app = get_app(ini)
    try:
        worker = Browser(app, None)
        worker.login('worker1')
        worker.accept_charter()  # a database made by portail-init: its first login
        lookup(worker, f'Demande de RSA de {CANARY} à Marseille')
        lookup(worker, f'Rendez-vous avec {CANARY} demain')
        assert CANARY in worker.get(f'/dossiers/{name}/').text
        # a letter (issue 17): its PDF holds the person's name and contract
        page = worker.get(f'/dossiers/{name}/correspondence')
        form = next(f for f in page.forms.values() if f.action.endswith('/correspondence'))
        form['kind'] = 'signed_contract'
        assert form.submit().status_int == 303
    finally:
        transaction.abort()
        for db in app.registry._zodb_databases.values():
            db.close()
    assert journal.main([ini, 'anchor']) == 0
    make_backup(var, backups)
    before = scan(var.parent)
    # the scan sees the canary where it is: the dossier, the journal's
    # reasons, the backups of both
    for where in ('var/Data.fs', 'var/Journal.fs'):
        assert where in before, before
    assert any(f.startswith('backups/Data/') for f in before), before
    assert any(f.startswith('backups/Journal/') for f in before), before
    first_backup = time.time()

    capsys.readouterr()
    assert retention.main([ini, '--erase']) == 0
    assert f'erase dossier {name}' in capsys.readouterr().out
    assert journal.main([ini, 'purge']) == 0
    assert journal.main([ini, 'anchor']) == 0
    next_second(first_backup)
    make_backup(var, backups)

    assert scan(var.parent) == [], sorted(str(p.relative_to(var.parent))
                                          for p in var.parent.rglob('*') if p.is_file())
    # what FileStorage's pack leaves behind is gone, for both packed databases
    assert not [f for f in os.listdir(var) if f.endswith(('.old', '.pack', '.tr'))]
    # each repository holds one full backup: the one made after the erasure
    for db in ('Data', 'Journal'):
        assert len(list((backups / db).glob('*.fsz'))) == 1
        assert not list((backups / db).glob('*.deltafsz'))
    # and the journal that is left still verifies
    capsys.readouterr()
    assert journal.main([ini, 'verify']) == 0
    assert 'journal intact' in capsys.readouterr().out


def test_a_restored_backup_of_the_erased_dossier_is_erased_again(site, capsys, tmp_path):
    """A backup made before an erasure still holds the person (until it
    expires off the machine); running the retention again after restoring it
    erases them again, journal included."""
    ini, var, backups = site
    dossier_to_erase(ini)
    make_backup(var, backups)
    assert retention.main([ini, '--erase']) == 0
    restored = tmp_path / 'restored'
    restored.mkdir()
    for db in ('Data', 'Sessions', 'Journal'):
        subprocess.run([sys.executable, '-m', 'ZODB.scripts.repozo', '-R', '-r',  # noqa: S603
                        str(backups / db), '-o', str(restored / f'{db}.fs')], check=True)
    shutil.move(var / 'journal.key', tmp_path / 'journal.key')  # kept apart from the backups
    shutil.rmtree(var)
    shutil.move(restored, var)
    shutil.move(tmp_path / 'journal.key', var / 'journal.key')
    assert scan(var) != []
    capsys.readouterr()
    assert retention.main([ini, '--erase']) == 0
    assert '1 dossier(s) erased' in capsys.readouterr().out
    assert scan(var) == []
