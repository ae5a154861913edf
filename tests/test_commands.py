"""The command-line tools as a newcomer meets them: the installed console
scripts run in a subprocess, so that their real standard error, exit status
and effect on the file system are what is checked.

A problem the user can fix ends a command with one line on standard error
(``portail-x: error: ...``) and exit status 1; wrong arguments with argparse's
usage and exit status 2; never a traceback, never a database created by a
command other than ``portail-init``.
"""
import subprocess
import sys
from pathlib import Path

import pytest
import ZODB

from portail.scripts import init
from tests.test_scripts import INI, STEPS

#: the folder of the installed console scripts (the test run's virtualenv)
BIN = Path(sys.executable).parent

#: every console script of setup.cfg, with the arguments of a harmless run
COMMANDS = {
    'portail-init': [],
    'portail-evolve': ['--status'],
    'portail-create-admin': ['chef', 'Cheffe Admin', '--password-stdin'],
    'portail-close-expired': [],
    'portail-journal': ['verify'],
    'portail-purge-sessions': [],
    'portail-retention': [],
    'portail-import': ['--accounts', 'comptes.csv'],
}
#: the commands that must never create a database
USERS_OF_A_DATABASE = [name for name in COMMANDS if name != 'portail-init']
#: the commands that need the portal's objects in the database
USERS_OF_THE_PORTAL = [name for name in USERS_OF_A_DATABASE if name != 'portail-evolve']
DATABASES = ('Data.fs', 'Sessions.fs', 'Journal.fs')

IN_USE = ('the database is in use by another process (the running portal?): '
          'stop it, or use ZEO or PostgreSQL (README, "Storage")')

#: a pserve configuration of the portal of portail.ini, on a free port
SERVE_INI = """
[app:main]
use = config:portail.ini#main

[server:main]
use = egg:waitress#main
listen = 127.0.0.1:0

[loggers]
keys = root

[handlers]
keys = console

[formatters]
keys = plain

[logger_root]
level = INFO
handlers = console

[handler_console]
class = StreamHandler
args = (sys.stderr,)
formatter = plain

[formatter_plain]
format = %(message)s
"""


def run(name, *args, cwd):
    """Run the installed command ``name`` in ``cwd``; its stdin is empty."""
    return subprocess.run([str(BIN / name), *args], cwd=cwd, input='',  # noqa: S603
                          capture_output=True, text=True, check=False)


def files(folder):
    return sorted(str(path.relative_to(folder)) for path in folder.rglob('*'))


def assert_reported(result, name, message):
    """The command said ``message`` in one line, and only that, and failed."""
    assert 'Traceback' not in result.stderr
    assert result.stderr == f'{name}: error: {message}\n'
    assert result.returncode == 1


@pytest.fixture
def folder(tmp_path):
    """A folder holding ``portail.ini``, whose databases are in ``var/``
    (not created)."""
    (tmp_path / 'portail.ini').write_text(INI.format(var=tmp_path / 'var'))
    return tmp_path


@pytest.fixture
def initialised(folder):
    """``folder`` with its databases created and initialised."""
    assert init.main([str(folder / 'portail.ini')]) == 0
    return folder


def create_empty_databases(folder):
    """The databases as a portal started before ``portail-init`` leaves them:
    a ZODB root mapping and nothing in it."""
    (folder / 'var').mkdir()
    for name in DATABASES:
        ZODB.DB(str(folder / 'var' / name)).close()


@pytest.mark.parametrize('name', COMMANDS)
def test_a_missing_ini_file_is_reported(tmp_path, name):
    result = run(name, 'portail.ini', *COMMANDS[name], cwd=tmp_path)
    assert_reported(result, name, 'the configuration file portail.ini does not exist')
    assert files(tmp_path) == []


@pytest.mark.parametrize('name', ['portail-init', 'portail-journal'])
def test_a_file_that_is_not_an_ini_is_reported(tmp_path, name):
    (tmp_path / 'notes.txt').write_text('Réunion CLI jeudi\n')
    result = run(name, 'notes.txt', *COMMANDS[name], cwd=tmp_path)
    assert_reported(result, name,
                    'notes.txt is not an ini file (File contains no section headers.)')
    assert files(tmp_path) == ['notes.txt']


def test_a_folder_given_as_ini_is_reported(tmp_path):
    (tmp_path / 'conf').mkdir()
    result = run('portail-init', 'conf', cwd=tmp_path)
    assert_reported(result, 'portail-init',
                    'conf is not a configuration file (e.g. development.ini)')
    assert files(tmp_path) == ['conf']


@pytest.mark.parametrize('name', ['portail-init', 'portail-retention'])
def test_an_ini_without_app_main_is_reported(tmp_path, name):
    (tmp_path / 'other.ini').write_text('[server:main]\nuse = egg:waitress#main\n')
    result = run(name, 'other.ini', *COMMANDS[name], cwd=tmp_path)
    assert_reported(result, name, 'other.ini has no [app:main] section: '
                                  "give the portal's ini file (e.g. development.ini)")
    assert files(tmp_path) == ['other.ini']


def test_portail_init_creates_the_folder_of_the_databases(folder):
    result = run('portail-init', 'portail.ini', cwd=folder)
    assert (result.returncode, result.stderr) == (0, '')
    assert 'evolve step 0001-create-portal-root' in result.stdout
    assert {'var/Data.fs', 'var/Sessions.fs', 'var/Journal.fs'} <= set(files(folder))
    status = run('portail-evolve', 'portail.ini', '--status', cwd=folder)
    assert (status.returncode, status.stderr) == (0, '')
    assert status.stdout.startswith(f'schema version {STEPS}/{STEPS}')


@pytest.mark.parametrize('name', USERS_OF_A_DATABASE)
def test_no_other_command_creates_a_database(folder, name):
    missing = folder / 'var' / 'Data.fs'
    result = run(name, 'portail.ini', *COMMANDS[name], cwd=folder)
    assert_reported(result, name,
                    f'the database {missing} does not exist: run portail-init portail.ini')
    # the folder is there, the databases are not: none is created either
    (folder / 'var').mkdir()
    result = run(name, 'portail.ini', *COMMANDS[name], cwd=folder)
    assert_reported(result, name,
                    f'the database {missing} does not exist: run portail-init portail.ini')
    assert files(folder) == ['portail.ini', 'var']


def test_a_missing_secondary_database_is_not_created(initialised):
    journal = initialised / 'var' / 'Journal.fs'
    journal.unlink()
    result = run('portail-journal', 'portail.ini', 'verify', cwd=initialised)
    assert_reported(result, 'portail-journal',
                    f'the database {journal} does not exist: run portail-init portail.ini')
    assert not journal.exists()


@pytest.mark.parametrize('name', USERS_OF_THE_PORTAL)
def test_an_uninitialised_database_is_reported(folder, name):
    create_empty_databases(folder)
    before = files(folder)
    result = run(name, 'portail.ini', *COMMANDS[name], cwd=folder)
    assert_reported(result, name,
                    'the database is not initialised: run portail-init portail.ini')
    assert files(folder) == before


def test_evolve_reports_the_version_of_an_uninitialised_database(folder):
    create_empty_databases(folder)
    result = run('portail-evolve', 'portail.ini', '--status', cwd=folder)
    assert (result.returncode, result.stderr) == (0, '')
    assert result.stdout.startswith(
        f'schema version 0/{STEPS}\n  pending: 0001-create-portal-root')


@pytest.mark.parametrize('name', ['portail-init', 'portail-close-expired'])
def test_a_file_that_is_not_a_database_is_reported(folder, name):
    create_empty_databases(folder)
    data = folder / 'var' / 'Data.fs'
    data.unlink()
    data.write_text('contrats;2026\n')
    before = files(folder)
    result = run(name, 'portail.ini', *COMMANDS[name], cwd=folder)
    assert_reported(result, name, f'{data} is not a FileStorage database file')
    assert data.read_text() == 'contrats;2026\n' and files(folder) == before


def test_a_zeo_server_that_does_not_answer_is_reported(tmp_path):
    socket = tmp_path / 'zeo.sock'  # no server listens there
    (tmp_path / 'zeo.ini').write_text(
        f'[app:main]\nuse = egg:portail\nzodbconn.uri = zeo://{socket}?wait_timeout=1\n')
    result = run('portail-journal', 'zeo.ini', 'verify', cwd=tmp_path)
    assert_reported(result, 'portail-journal', 'the ZEO server of zeo.ini does not answer: '
                                               'start it (make zeo) or correct zodbconn.uri')
    assert files(tmp_path) == ['zeo.ini']


def test_a_postgresql_server_that_refuses_is_reported(tmp_path):
    (tmp_path / 'pg.ini').write_text(
        '[app:main]\nuse = egg:portail\nzodbconn.uri = '
        'postgres://portail:secret@127.0.0.1:1/portail_main?driver=psycopg2\n')
    result = run('portail-retention', 'pg.ini', cwd=tmp_path)
    assert 'Traceback' not in result.stderr and result.returncode == 1
    # RelStorage logs its attempt (a WARNING through the ini's logging) first
    assert result.stderr.splitlines()[-1] == (
        'portail-retention: error: cannot connect to the PostgreSQL database of pg.ini: '
        'connection to server at "127.0.0.1", port 1 failed: Connection refused')


@pytest.fixture
def running_portal(initialised):
    """The portal of ``initialised`` served by a real ``pserve``; yields the
    lines it printed up to "Serving on"."""
    (initialised / 'serve.ini').write_text(SERVE_INI)
    server = subprocess.Popen([str(BIN / 'pserve'), 'serve.ini'], cwd=initialised,  # noqa: S603
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    printed = []
    try:
        for line in server.stderr:
            printed.append(line)
            if line.startswith('Serving on'):
                break
        assert printed and printed[-1].startswith('Serving on'), printed
        yield printed
    finally:
        server.terminate()
        server.wait()
        server.stderr.close()


@pytest.mark.parametrize('name', COMMANDS)
def test_a_database_in_use_by_the_running_portal_is_reported(initialised, running_portal,
                                                              name):
    before = files(initialised)
    result = run(name, 'portail.ini', *COMMANDS[name], cwd=initialised)
    assert_reported(result, name, IN_USE)
    assert files(initialised) == before


def test_the_portal_starts_without_the_pkg_resources_warning(running_portal):
    assert running_portal[-1].startswith('Serving on')
    assert not any('pkg_resources' in line or 'Warning' in line for line in running_portal)


def test_the_commands_print_no_pkg_resources_warning(initialised):
    result = run('portail-evolve', 'portail.ini', '--status', cwd=initialised)
    assert result.returncode == 0
    assert 'pkg_resources' not in result.stderr and result.stderr == ''


def test_importing_the_portal_filters_the_pkg_resources_warning(tmp_path):
    """Even shown warnings (``-W always``) leave out that one, whatever the
    setuptools release: the commands import the portal before Pyramid."""
    result = subprocess.run([sys.executable, '-W', 'always', '-c', 'import portail'],  # noqa: S603
                            cwd=tmp_path, capture_output=True, text=True, check=True)
    assert 'pkg_resources is deprecated as an API' not in result.stderr


@pytest.mark.parametrize('name, args', [
    ('portail-evolve', []),
    ('portail-evolve', ['portail.ini', '--status', '--dry-run']),
    ('portail-journal', ['portail.ini', 'repair']),
    ('portail-close-expired', ['portail.ini', '--today']),
])
def test_wrong_arguments_print_the_usage(folder, name, args):
    result = run(name, *args, cwd=folder)
    assert result.returncode == 2
    usage, error = result.stderr.splitlines()
    assert usage.startswith(f'usage: {name} ') and error.startswith(f'{name}: error: ')
    assert files(folder) == ['portail.ini']
