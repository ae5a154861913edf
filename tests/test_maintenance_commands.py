"""The daily maintenance commands on a real FileStorage, on the portal's clock
(portail/scripts/maintenance.py; docs/operations.md, *Commands*).

``tests/test_scripts.py`` runs them on the day the demo is created; here the
clock has moved on, so that they have something to do."""
from datetime import timedelta

from portail.scripts import application, init, maintenance, portal_root
from tests.conftest import START
from tests.test_scripts import INI

#: a year and a month after the demo was created: every demo contract has ended
LATER = START + timedelta(days=400)


def site(tmp_path):
    """The demo département created at START; return the ini of START and
    the ini of the same databases LATER."""
    now = tmp_path / 'now.ini'
    now.write_text(INI.format(var=tmp_path))
    later = tmp_path / 'later.ini'
    later.write_text(INI.format(var=tmp_path).replace(START.isoformat(), LATER.isoformat()))
    assert init.main([str(now), '--demo']) == 0
    return str(now), str(later)


def open_contracts(root):
    return [c for d in root.dossiers.values() for c in d.contracts.values()
            if c.state != 'closed']


def test_close_expired_closes_what_has_ended_once(tmp_path, capsys):
    now, later = site(tmp_path)
    with application(now) as registry, portal_root(registry, 'count') as root:
        due = [c for c in open_contracts(root) if c.end_date < LATER.date()]
        shared = [c for c in due if c.state == 'shared']
        cli_copies = sum(len(folder) for folder in root.cli.values())
    assert due and shared and cli_copies
    capsys.readouterr()
    assert maintenance.close_expired_main([later]) == 0
    assert capsys.readouterr().out.startswith(f'{len(due)} contract(s) closed.\n')
    with application(later) as registry, portal_root(registry, 'check') as root:
        assert all(c.end_date >= LATER.date() for c in open_contracts(root))
        # closed by the portal itself, on its clock
        closed = [c for d in root.dossiers.values() for c in d.contracts.values()
                  if c.state == 'closed' and c.history[-1].at == LATER]
        assert len(closed) == len(due)
        assert {c.history[-1].actor for c in closed} == {'system'}
        assert {c.history[-1].comment for c in closed} == {'end date reached'}
        # closing a shared contract withdraws its copy from the CLI
        assert sum(len(folder) for folder in root.cli.values()) == cli_copies - len(shared)
    # the next day's run finds nothing more to do
    assert maintenance.close_expired_main([later]) == 0
    assert capsys.readouterr().out == '0 contract(s) closed.\n'  # snapshot taken already


def test_purge_sessions_deletes_only_what_can_no_longer_be_used(tmp_path, capsys):
    import transaction

    from portail.auth.sessions import SESSIONS_DB
    from portail.models.session import STORE_KEY, PortalSession
    from portail.scripts import primary_db

    now, later = site(tmp_path)
    with application(now) as registry:
        tm = transaction.TransactionManager(explicit=True)
        conn = primary_db(registry).open(transaction_manager=tm)
        try:
            tm.begin()
            store = conn.get_connection(SESSIONS_DB).root()[STORE_KEY]
            hours = registry.settings['portail.session_max_hours']
            # created at START: usable until START + hours, purged LATER
            store['from-start'] = PortalSession('u1', START, '127.0.0.1', 0)
            # created just before LATER: still usable then
            store['recent'] = PortalSession('u2', LATER - timedelta(hours=hours - 1),
                                            '127.0.0.1', 0)
            tm.commit()
        finally:
            conn.close()
    capsys.readouterr()
    assert maintenance.purge_sessions_main([now]) == 0
    assert capsys.readouterr().out == '0 session(s) deleted.\n'
    assert maintenance.purge_sessions_main([later]) == 0
    assert capsys.readouterr().out == '1 session(s) deleted.\n'
    with application(later) as registry:
        conn = primary_db(registry).open()
        try:
            assert set(conn.get_connection(SESSIONS_DB).root()[STORE_KEY]) == {'recent'}
        finally:
            conn.close()
