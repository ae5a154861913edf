"""The command-line tools against a real FileStorage."""
import io
from datetime import timedelta

import pytest
import ZODB

from portail.demo import SPREAD_SIZE
from portail.evolve import _steps
from portail.scripts import create_admin, evolve, init
from tests.conftest import START, totp_code

#: how many evolve steps the code has
STEPS = len(_steps())

#: the ini file of the script tests (``INI.format(var=folder)``): the tools
#: run on the portal's clock, fixed at the suite's START
INI = f"""
[app:main]
use = egg:portail
zodbconn.uri = file://{{var}}/Data.fs
zodbconn.uri.sessions = file://{{var}}/Sessions.fs
zodbconn.uri.journal = file://{{var}}/Journal.fs
portail.journal_key_file = {{var}}/journal.key
portail.argon2_profile = fast
portail.secure_cookies = false
portail.fixed_clock = {START.isoformat()}
portail.public_url = http://localhost
"""


@pytest.fixture
def ini(tmp_path):
    path = tmp_path / 'test.ini'
    path.write_text(INI.format(var=tmp_path))
    return str(path)


def test_init_creates_then_keeps_the_demo(ini, capsys):
    assert init.main([ini, '--demo']) == 0
    out = capsys.readouterr().out
    assert 'Portail-Demo-2026' in out and 'beneficiary2' in out
    assert init.main([ini, '--demo']) == 0
    assert 'already holds accounts' in capsys.readouterr().out


def test_evolve_status_and_dry_run(ini, tmp_path, capsys):
    # portail-evolve never creates a database: portail-init does
    assert evolve.main([ini, '--status']) == 1
    assert 'does not exist: run portail-init' in capsys.readouterr().err
    assert not (tmp_path / 'Data.fs').exists()
    # the databases of a portal started before portail-init: nothing in them
    for name in ('Data.fs', 'Sessions.fs', 'Journal.fs'):
        ZODB.DB(str(tmp_path / name)).close()
    assert evolve.main([ini, '--status']) == 0
    out = capsys.readouterr().out
    assert f'schema version 0/{STEPS}' in out and 'pending: 0001-create-portal-root' in out
    assert evolve.main([ini, '--dry-run']) == 0
    assert f'{STEPS} step(s) would run' in capsys.readouterr().out
    assert evolve.main([ini, '--status']) == 0
    assert f'schema version 0/{STEPS}' in capsys.readouterr().out
    assert evolve.main([ini]) == 0
    assert evolve.main([ini, '--status']) == 0
    assert f'schema version {STEPS}/{STEPS}' in capsys.readouterr().out


def test_create_admin(ini, capsys, monkeypatch):
    init.main([ini])
    monkeypatch.setattr('sys.stdin', io.StringIO('short\n'))
    assert create_admin.main([ini, 'chef', 'Cheffe Admin', '--password-stdin']) == 1
    assert '12' in capsys.readouterr().err
    monkeypatch.setattr('sys.stdin', io.StringIO('Une phrase de passe solide\n'))
    assert create_admin.main([ini, 'chef', 'Cheffe Admin', '--password-stdin']) == 0
    monkeypatch.setattr('sys.stdin', io.StringIO('Une phrase de passe solide\n'))
    assert create_admin.main([ini, 'chef', 'Autre', '--password-stdin']) == 1
    assert 'taken' in capsys.readouterr().err
    # the new administrator logs in through the portal, and sets up the second factor first
    from pyramid.paster import get_app
    from webtest import TestApp

    browser = TestApp(get_app(ini))
    page = browser.get('/login')
    form = page.forms[1]
    form['login'] = 'chef'
    form['password'] = 'Une phrase de passe solide'
    # the first page of a new administrator sets up the second factor, with the code of
    # an app holding the key shown (on the portal's fixed clock)
    enrol = form.submit().follow().follow()
    assert enrol.request.path == '/second-factor'
    confirm = enrol.forms[[k for k, f in enrol.forms.items()
                           if f.action.endswith('/second-factor')][0]]
    confirm['code'] = totp_code(enrol.html.find(id='secret').text.replace(' ', ''), START)
    codes = confirm.submit()
    assert len(codes.html.select('ol.recovery-codes li')) == 10
    # then the confidentiality charter (issue 18)
    charter = codes.click(description='J.ai gardé mes codes').follow()
    assert charter.request.path == '/charter'
    accepted = charter.forms['charter-answer'].submit('accept').follow().follow()
    assert accepted.request.path == '/users/'


def test_create_admin_asks_twice(ini, capsys, monkeypatch):
    init.main([ini])
    answers = iter(['Une phrase de passe solide', 'Une autre phrase de passe'])
    monkeypatch.setattr('getpass.getpass', lambda prompt: next(answers))
    assert create_admin.main([ini, 'chef', 'Cheffe Admin']) == 1
    assert 'differ' in capsys.readouterr().err


def test_create_admin_stopped_at_the_password_prompt(ini, capsys, monkeypatch):
    init.main([ini])

    def ctrl_c(prompt):
        raise KeyboardInterrupt

    monkeypatch.setattr('getpass.getpass', ctrl_c)
    assert create_admin.main([ini, 'chef', 'Cheffe Admin']) == 130
    assert capsys.readouterr().err == '\nportail-create-admin: interrupted\n'


def test_purge_sessions(ini, capsys):
    from pyramid.paster import get_app
    from webtest import TestApp

    from portail.scripts import maintenance

    init.main([ini, '--demo'])
    app = get_app(ini)
    browser = TestApp(app)
    page = browser.get('/login')
    form = page.forms['login-form'] if 'login-form' in page.forms else page.forms[1]
    form['login'], form['password'] = 'worker1', 'Portail-Demo-2026'
    form.submit()
    import transaction

    from portail.models.session import PortalSession

    tm = transaction.TransactionManager(explicit=True)
    conn = app.registry._zodb_databases[''].open(transaction_manager=tm)
    tm.begin()
    store = conn.get_connection('sessions').root()['sessions']
    old = START - timedelta(hours=11)
    store['an-old-session'] = PortalSession('someone', old, '127.0.0.1', 0)
    tm.commit()
    conn.close()
    for db in app.registry._zodb_databases.values():
        db.close()
    capsys.readouterr()
    assert maintenance.purge_sessions_main([ini]) == 0
    assert '1 session(s) deleted' in capsys.readouterr().out  # the fresh one is kept


def test_close_expired(ini, capsys):
    from portail.scripts import maintenance

    init.main([ini, '--demo'])
    capsys.readouterr()
    assert maintenance.close_expired_main([ini]) == 0
    out = capsys.readouterr().out
    assert '0 contract(s) closed' in out  # no demo contract has ended
    # the first run of the month takes the statistics' published snapshot, once
    from portail.statistics.snapshot import current_month

    assert f'Statistics snapshot taken: the months before {current_month(START)}.' in out
    assert maintenance.close_expired_main([ini]) == 0
    assert 'snapshot' not in capsys.readouterr().out


def test_demo_is_never_added_to_a_database_with_accounts(ini, capsys, monkeypatch):
    init.main([ini])
    monkeypatch.setattr('sys.stdin', io.StringIO('Une phrase de passe solide\n'))
    create_admin.main([ini, 'chef', 'Cheffe Admin', '--password-stdin'])
    capsys.readouterr()
    assert init.main([ini, '--demo']) == 0
    assert 'no demo added' in capsys.readouterr().out
    from portail.scripts import application, portal_root

    with application(ini) as registry, portal_root(registry, 'check') as root:
        assert root.users.find_login('worker1') is None and len(root.users) == 1


def test_the_tools_and_the_demo_date_everything_from_the_portal_s_clock(tmp_path, capsys,
                                                                         monkeypatch):
    """With the clock three years ahead, the demo's contracts start in that
    year and the one before, none has ended unclosed, and the evolve steps,
    the accounts and the dossiers bear that clock's time, not the machine's."""
    from portail.clock import utcnow
    from portail.evolve import done
    from portail.scripts import application, maintenance, portal_root, primary_db

    later = START + timedelta(days=3 * 365)
    ini = tmp_path / 'later.ini'
    ini.write_text(INI.format(var=tmp_path).replace(START.isoformat(), later.isoformat()))
    ini = str(ini)
    assert init.main([ini, '--demo']) == 0
    monkeypatch.setattr('sys.stdin', io.StringIO('Une phrase de passe solide\n'))
    assert create_admin.main([ini, 'chef', 'Cheffe Admin', '--password-stdin']) == 0
    capsys.readouterr()
    assert maintenance.close_expired_main([ini]) == 0
    assert '0 contract(s) closed' in capsys.readouterr().out
    with application(ini) as registry:
        assert utcnow(registry) == later
        conn = primary_db(registry).open()
        try:
            assert set(done(conn.root()).values()) == {later}
        finally:
            conn.close()
        with portal_root(registry, 'check') as root:
            assert {user.created_at for user in root.users.values()} == {later}
            assert {dossier.created_at for dossier in root.dossiers.values()} == {later}
            contracts = [c for d in root.dossiers.values() for c in d.contracts.values()]
            assert len(contracts) == 12 + SPREAD_SIZE
            assert {c.start_date.year for c in contracts} == {later.year - 1, later.year}
            assert all(c.state == 'closed' or c.end_date >= later.date() for c in contracts)


# What the user must fix, in-process (tests/test_commands.py runs the
# installed commands in a subprocess for the same cases and more).

def reported(capsys, status, name, message):
    assert status == 1
    assert capsys.readouterr().err == f'{name}: error: {message}\n'


@pytest.mark.parametrize('content, message', [
    (None, 'the configuration file {ini} does not exist'),
    ('a folder', '{ini} is not a configuration file (e.g. development.ini)'),
    ('not an ini\n', '{ini} is not an ini file (File contains no section headers.)'),
    ('[server:main]\n', "{ini} has no [app:main] section: give the portal's ini file "
                        '(e.g. development.ini)'),
    ('[app:main]\nuse = egg:nonexistent\n', 'cannot read the settings of {ini}: '
                                             'No package metadata was found for nonexistent'),
])
def test_a_wrong_ini_is_reported(tmp_path, capsys, content, message):
    ini = tmp_path / 'wrong.ini'
    if content == 'a folder':
        ini.mkdir()
    elif content is not None:
        ini.write_text(content)
    reported(capsys, evolve.main([str(ini), '--status']), 'portail-evolve',
             message.format(ini=ini))


def test_databases_that_cannot_be_used_are_reported(ini, tmp_path, capsys):
    from portail.scripts import journal

    data = tmp_path / 'Data.fs'
    reported(capsys, journal.main([ini, 'verify']), 'portail-journal',
             f'the database {data} does not exist: run portail-init {ini}')
    assert not data.exists()
    for name in ('Data.fs', 'Sessions.fs', 'Journal.fs'):
        ZODB.DB(str(tmp_path / name)).close()
    reported(capsys, journal.main([ini, 'verify']), 'portail-journal',
             f'the database is not initialised: run portail-init {ini}')
    data.write_text('contrats;2026\n')
    reported(capsys, journal.main([ini, 'verify']), 'portail-journal',
             f'{data} is not a FileStorage database file')
    assert data.read_text() == 'contrats;2026\n'


def test_a_database_held_by_another_storage_is_reported(ini, tmp_path, capsys):
    from ZODB.FileStorage import FileStorage

    init.main([ini])
    capsys.readouterr()
    holder = FileStorage(str(tmp_path / 'Data.fs'))  # as the running portal holds it
    try:
        reported(capsys, evolve.main([ini, '--status']), 'portail-evolve',
                 'the database is in use by another process (the running portal?): '
                 'stop it, or use ZEO or PostgreSQL (README, "Storage")')
    finally:
        holder.close()
    assert evolve.main([ini, '--status']) == 0


def test_init_reports_a_folder_it_cannot_create(tmp_path, capsys):
    (tmp_path / 'var').write_text('a file where the folder should be')
    ini = tmp_path / 'test.ini'
    ini.write_text(INI.format(var=tmp_path / 'var'))
    reported(capsys, init.main([str(ini)]), 'portail-init',
             f'cannot create the folder {tmp_path / "var"}: File exists')


@pytest.mark.parametrize('uri, message', [
    ('zeo://{tmp}/zeo.sock?wait_timeout=1',
     'the ZEO server of {ini} does not answer: start it (make zeo) or correct zodbconn.uri'),
    ('postgres://portail:secret@127.0.0.1:1/portail_main?driver=psycopg2',
     'cannot connect to the PostgreSQL database of {ini}: connection to server at '
     '"127.0.0.1", port 1 failed: Connection refused'),
])
def test_an_unreachable_database_server_is_reported(tmp_path, capsys, uri, message):
    from portail.scripts import retention

    ini = tmp_path / 'server.ini'
    ini.write_text(f'[app:main]\nuse = egg:portail\nzodbconn.uri = {uri.format(tmp=tmp_path)}\n')
    assert retention.main([str(ini)]) == 1
    assert capsys.readouterr().err.endswith(
        f'portail-retention: error: {message.format(ini=ini)}\n')
