"""Evolve steps: named, recorded, one transaction each, dry run."""
import pytest

from portail import evolve as ev
from portail.models.root import DatabaseNotInitialised, get_root
from tests.conftest import Portal


def test_new_database_runs_every_step_once():
    portal = Portal()
    conn = portal.db.open()
    assert ev.status(conn.root()) == (0, 10, ['0001-create-portal-root',
                                             '0002-create-session-store',
                                             '0003-create-journal',
                                             '0004-create-statistics',
                                             '0005-create-listing-indexes',
                                             '0006-create-activation-failures',
                                             '0007-create-journal-outbox',
                                             '0008-create-form-keys',
                                             '0009-create-statistics-snapshot',
                                             '0011-create-worklist'])
    conn.close()
    ran = ev.evolve(portal.db, portal.clock.now(), log=lambda m: None)
    assert ran == ['0001-create-portal-root', '0002-create-session-store',
                   '0003-create-journal', '0004-create-statistics',
                   '0005-create-listing-indexes', '0006-create-activation-failures',
                   '0007-create-journal-outbox', '0008-create-form-keys',
                   '0009-create-statistics-snapshot', '0011-create-worklist']
    assert ev.evolve(portal.db, portal.clock.now(), log=lambda m: None) == []
    conn = portal.db.open()
    root = get_root(conn.root())
    assert len(root.users) == 0 and root['users'] is root.users
    assert ev.status(conn.root()) == (10, 10, [])
    with pytest.raises(KeyError):
        root['evolve_done']
    conn.close()


def test_dry_run_writes_nothing():
    portal = Portal()
    messages = []
    ran = ev.evolve(portal.db, portal.clock.now(), dry_run=True, log=messages.append)
    assert len(ran) == 10 and messages[0].startswith('[dry run]')
    conn = portal.db.open()
    with pytest.raises(DatabaseNotInitialised):
        get_root(conn.root())
    assert ev.status(conn.root())[0] == 0
    conn.close()


def test_each_step_is_its_own_transaction():
    portal = Portal()
    before = len(list(portal.db.storage.iterator()))
    ev.evolve(portal.db, portal.clock.now(), log=lambda m: None)
    notes = [t.description for t in portal.db.storage.iterator()][before:]
    assert notes == [b'evolve 0001-create-portal-root', b'evolve 0002-create-session-store',
                     b'evolve 0003-create-journal', b'evolve 0004-create-statistics',
                     b'evolve 0005-create-listing-indexes',
                     b'evolve 0006-create-activation-failures',
                     b'evolve 0007-create-journal-outbox',
                     b'evolve 0008-create-form-keys',
                     b'evolve 0009-create-statistics-snapshot',
                     b'evolve 0011-create-worklist']


def test_duplicate_step_names_are_refused():
    with pytest.raises(ValueError):
        ev.step('0001-create-portal-root')(lambda root, conn: None)


def test_uninitialised_database_gives_a_french_503():
    portal = Portal()
    page = portal.browser().get('/login', status=503)
    assert 'Service indisponible' in page.text
