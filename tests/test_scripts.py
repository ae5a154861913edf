"""The command-line tools against a real FileStorage."""
import io
from datetime import timedelta

import pytest

from portail.scripts import create_admin, evolve, init

INI = """
[app:main]
use = egg:portail
zodbconn.uri = file://{var}/Data.fs
zodbconn.uri.sessions = file://{var}/Sessions.fs
zodbconn.uri.journal = file://{var}/Journal.fs
portail.journal_key_file = {var}/journal.key
portail.argon2_profile = fast
portail.secure_cookies = false
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


def test_evolve_status_and_dry_run(ini, capsys):
    assert evolve.main([ini, '--status']) == 0
    out = capsys.readouterr().out
    assert 'schema version 0/5' in out and 'pending: 0001-create-portal-root' in out
    assert evolve.main([ini, '--dry-run']) == 0
    assert '5 step(s) would run' in capsys.readouterr().out
    assert evolve.main([ini, '--status']) == 0
    assert 'schema version 0/5' in capsys.readouterr().out
    assert evolve.main([ini]) == 0
    assert evolve.main([ini, '--status']) == 0
    assert 'schema version 5/5' in capsys.readouterr().out


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
    # the new administrator logs in through the portal
    from pyramid.paster import get_app
    from webtest import TestApp

    browser = TestApp(get_app(ini))
    page = browser.get('/login')
    form = page.forms[1]
    form['login'] = 'chef'
    form['password'] = 'Une phrase de passe solide'
    assert form.submit().follow().follow().request.path == '/users/'


def test_create_admin_asks_twice(ini, capsys, monkeypatch):
    init.main([ini])
    answers = iter(['Une phrase de passe solide', 'Une autre phrase de passe'])
    monkeypatch.setattr('getpass.getpass', lambda prompt: next(answers))
    assert create_admin.main([ini, 'chef', 'Cheffe Admin']) == 1
    assert 'differ' in capsys.readouterr().err


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

    from portail.clock import SystemClock
    from portail.models.session import PortalSession

    tm = transaction.TransactionManager(explicit=True)
    conn = app.registry._zodb_databases[''].open(transaction_manager=tm)
    tm.begin()
    store = conn.get_connection('sessions').root()['sessions']
    old = SystemClock().now() - timedelta(hours=11)
    store['an-old-session'] = PortalSession('someone', old, '127.0.0.1', 0)
    tm.commit()
    conn.close()
    for db in app.registry._zodb_databases.values():
        db.close()
    capsys.readouterr()
    assert maintenance.purge_sessions_main([ini]) == 0
    assert '1 session(s) deleted' in capsys.readouterr().out  # the fresh one is kept


def test_close_expired_and_reapply_acls(ini, capsys):
    from portail.scripts import maintenance

    init.main([ini, '--demo'])
    capsys.readouterr()
    assert maintenance.close_expired_main([ini]) == 0
    assert '0 contract(s) closed' in capsys.readouterr().out  # no demo contract has ended
    from portail.scripts import application, portal_root
    from portail.workflow.contract import CONTRACT_WORKFLOW

    with application(ini) as registry, portal_root(registry, 'test') as root:
        contract = next(iter(next(iter(root.dossiers.values())).contracts.values()))
        contract.__acl__ = []  # as if the table had changed since
    assert maintenance.reapply_acls_main([ini]) == 0
    assert '12 contract(s) updated' in capsys.readouterr().out
    with application(ini) as registry, portal_root(registry, 'test') as root:
        contract = next(iter(next(iter(root.dossiers.values())).contracts.values()))
        assert contract.__acl__ == CONTRACT_WORKFLOW.acl_for(contract.state)


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
