"""Evolve steps: named, recorded, one transaction each, dry run."""
import dataclasses

import pytest

from portail import evolve as ev
from portail.models.root import DatabaseNotInitialised, get_root
from tests.conftest import Portal

#: every step, in the order it runs (never renamed nor reordered once shipped)
STEP_NAMES = ['0001-create-portal-root', '0002-create-session-store', '0003-create-journal',
              '0004-create-statistics', '0005-create-listing-indexes',
              '0006-create-activation-failures', '0007-create-journal-outbox',
              '0008-create-form-keys', '0009-create-statistics-snapshot',
              '0010-drop-stored-contract-acls', '0011-create-worklist',
              '0013-create-cli-agenda-indexes', '0014-split-entry-queue',
              '0015-create-caseload-summaries', '0016-transfer-requests-for-managers',
              '0017-create-charter', '0018-create-external-id-indexes',
              '0019-create-feed-log', '0020-chunk-contract-histories']


def test_new_database_runs_every_step_once():
    portal = Portal()
    conn = portal.db.open()
    assert ev.status(conn.root()) == (0, len(STEP_NAMES), STEP_NAMES)
    conn.close()
    ran = ev.evolve(portal.db, portal.clock.now(), log=lambda m: None)
    assert ran == STEP_NAMES
    assert ev.evolve(portal.db, portal.clock.now(), log=lambda m: None) == []
    conn = portal.db.open()
    root = get_root(conn.root())
    assert len(root.users) == 0 and root['users'] is root.users
    assert ev.status(conn.root()) == (len(STEP_NAMES), len(STEP_NAMES), [])
    with pytest.raises(KeyError):
        root['evolve_done']
    conn.close()


def test_dry_run_writes_nothing():
    portal = Portal()
    messages = []
    ran = ev.evolve(portal.db, portal.clock.now(), dry_run=True, log=messages.append)
    assert ran == STEP_NAMES and messages[0].startswith('[dry run]')
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
    assert notes == [f'evolve {name}'.encode() for name in STEP_NAMES]


def test_duplicate_step_names_are_refused():
    with pytest.raises(ValueError):
        ev.step('0001-create-portal-root')(lambda root, conn: None)


def test_uninitialised_database_gives_a_french_503():
    portal = Portal()
    page = portal.browser().get('/login', status=503)
    assert 'Service indisponible' in page.text


DROP_ACLS = '0010-drop-stored-contract-acls'


def _contracts(root):
    return [c for d in root.dossiers.values() for c in d.contracts.values()]


def test_stored_contract_acls_are_dropped_and_the_matrix_answers():
    """A database written by older code holds an ``__acl__`` on every contract
    (set at each transition, here a stale one that lets anyone read): the
    computed ACL of the matrix answers even before step 0010, which removes
    the stored copies, and may run again."""
    from pyramid.authorization import DENY_ALL, ACLHelper, Allow, Everyone

    from portail.acl.matrix import acl

    portal = Portal().initialise()
    stale = [(Allow, Everyone, ('view_contract', 'edit_contract')), DENY_ALL]
    with portal.root() as root:
        contracts = _contracts(root)
        assert contracts
        for contract in contracts:
            state = contract.__getstate__()
            assert '__acl__' not in state  # the new code stores none
            contract.__setstate__(dict(state, __acl__=list(stale)))  # as an old pickle
            contract._p_changed = True
    conn = portal.db.open()
    del conn.root()[ev.DONE_KEY][DROP_ACLS]  # the step is pending, as in an old database
    conn.transaction_manager.commit()
    conn.close()

    with portal.root() as root:
        for contract in _contracts(root):
            contract._p_activate()
            assert contract.__dict__['__acl__'] == stale
            assert contract.__acl__ == acl('contract', contract.state)
            assert not ACLHelper().permits(contract, {Everyone}, 'view_contract')
    assert ev.evolve(portal.db, portal.clock.now(), log=lambda m: None) == [DROP_ACLS]
    with portal.root() as root:
        for contract in _contracts(root):
            assert '__acl__' not in contract.__getstate__()
            assert contract.__acl__ == acl('contract', contract.state)

    conn = portal.db.open()  # run again: nothing to do, nothing broken
    del conn.root()[ev.DONE_KEY][DROP_ACLS]
    conn.transaction_manager.commit()
    conn.close()
    assert ev.evolve(portal.db, portal.clock.now(), log=lambda m: None) == [DROP_ACLS]
    with portal.root() as root:
        assert all('__acl__' not in c.__getstate__() for c in _contracts(root))


def test_an_acl_is_never_set_on_an_object():
    from portail.models.contract import Contract

    with pytest.raises(AttributeError):
        Contract().__acl__ = []


def test_step_0013_indexes_the_summaries_without_opinion_or_session():
    """A district's CLI folder of an older database gets the indexes of its
    summaries without an opinion and on no agenda; one that has them keeps them."""
    from portail.evolve.steps import create_cli_agenda_indexes
    from tests.conftest import find_dossier

    portal = Portal().initialise()
    with portal.root() as root:
        folder = root.cli[find_dossier(root, 'Martin').district]
        first, second = sorted(folder.values(), key=lambda s: s.__name__)
        folder.record_opinion(first, {'opinion': 'favourable', 'comment': '', 'at': ''})
        del folder.awaiting, folder.unscheduled  # as stored before the step
        second.session = 'a-session'
        assert folder.awaiting is None
    with portal.root() as root:
        create_cli_agenda_indexes(root._p_jar.root(), root._p_jar)
        folder = root.cli[find_dossier(root, 'Martin').district]
        assert [s.__name__ for s in folder.without_opinion(0, 10)] == [second.__name__]
        assert [s.__name__ for s in folder.without_session(10)] == [first.__name__]
        kept = folder.awaiting
        create_cli_agenda_indexes(root._p_jar.root(), root._p_jar)
        assert folder.awaiting is kept


def test_step_0016_tells_the_managers_of_open_transfer_requests():
    """An open transfer request indexed before the step (under its référent
    only) is indexed under its district too, as a write would now do."""
    from portail.evolve.steps import transfer_requests_for_managers
    from portail.models import worklist
    from tests.test_transfers import ask_transfer

    portal = Portal().initialise()
    ask_transfer(portal)
    with portal.root() as root:
        dossiers = root.dossiers
        dossier = [d for d in dossiers.values() if d.transfers is not None][0]
        expected = dossier.worklist_keys
        owner = worklist.district_owner(dossier.district)
        assert [k for k in expected if k[0] == owner]
        for key in expected:  # as an older write left them: the référent's only
            if key[0] == owner:
                del dossiers.worklist[key]
        dossier.worklist_keys = tuple(k for k in expected if k[0] != owner)
    with portal.root() as root:
        transfer_requests_for_managers(root._p_jar.root(), root._p_jar)
        dossier = root.dossiers[dossier.__name__]
        assert dossier.worklist_keys == expected
        assert all(k in root.dossiers.worklist for k in expected)


CHUNK_HISTORIES = '0020-chunk-contract-histories'


def _pending_again(portal, name):
    """Forget that step ``name`` ran, as in a database older than it."""
    conn = portal.db.open()
    del conn.root()[ev.DONE_KEY][name]
    conn.transaction_manager.commit()
    conn.close()


def test_step_0020_chunks_the_histories_of_older_contracts(monkeypatch):
    """An older database holds each contract's history as one
    ``PersistentList``: the step turns each into a chunked History with its
    records in order (one of 40 records spans three chunks), commits a batch
    at a time, and may run again without changing anything."""
    from persistent.list import PersistentList

    from portail.evolve import steps
    from portail.models.history import CHUNK_SIZE, History

    portal = Portal().initialise()
    with portal.root() as root:
        contracts = _contracts(root)
        assert len(contracts) > 2
        long = contracts[0]
        for n in range(40 - len(long.history)):
            long.history.append(dataclasses.replace(long.history[-1], comment=f'line {n}'))
        expected = {c._p_oid: list(c.history) for c in contracts}
        for contract in contracts:  # as an older database holds them
            contract.history = PersistentList(contract.history)
    _pending_again(portal, CHUNK_HISTORIES)
    with portal.root() as root:
        assert all(type(c.history) is PersistentList for c in _contracts(root))

    monkeypatch.setattr(steps, 'HISTORY_BATCH', 2)
    before = len(list(portal.db.storage.iterator()))
    assert ev.evolve(portal.db, portal.clock.now(), log=lambda m: None) == [CHUNK_HISTORIES]
    notes = [t.description.decode() for t in portal.db.storage.iterator()][before:]
    assert notes[-1] == f'evolve {CHUNK_HISTORIES}'
    assert len(notes) >= 2 and all(n.startswith(f'evolve {CHUNK_HISTORIES} (batch ')
                                   for n in notes[:-1])
    assert len(notes) - 1 <= len(contracts) // 2  # a batch holds two contracts or more
    with portal.root() as root:
        converted = _contracts(root)
        for contract in converted:
            assert isinstance(contract.history, History)
            assert list(contract.history) == expected[contract._p_oid]
        assert len(converted[0].history._chunks) == -(-40 // CHUNK_SIZE)
        histories = {c._p_oid: c.history._p_oid for c in converted}

    _pending_again(portal, CHUNK_HISTORIES)  # again: nothing to convert, nothing changed
    before = len(list(portal.db.storage.iterator()))
    assert ev.evolve(portal.db, portal.clock.now(), log=lambda m: None) == [CHUNK_HISTORIES]
    assert len(list(portal.db.storage.iterator())) == before + 1  # the step's record only
    with portal.root() as root:
        for contract in _contracts(root):
            assert contract.history._p_oid == histories[contract._p_oid]
            assert list(contract.history) == expected[contract._p_oid]


def test_step_0020_in_a_dry_run_writes_nothing(monkeypatch):
    """A batch of a dry run is a savepoint: the conversion is aborted with the rest."""
    from persistent.list import PersistentList

    from portail.evolve import steps

    portal = Portal().initialise()
    with portal.root() as root:
        for contract in _contracts(root):
            contract.history = PersistentList(contract.history)
    _pending_again(portal, CHUNK_HISTORIES)
    monkeypatch.setattr(steps, 'HISTORY_BATCH', 1)
    before = len(list(portal.db.storage.iterator()))
    assert ev.evolve(portal.db, portal.clock.now(), dry_run=True,
                     log=lambda m: None) == [CHUNK_HISTORIES]
    assert len(list(portal.db.storage.iterator())) == before
    with portal.root() as root:
        assert all(type(c.history) is PersistentList for c in _contracts(root))
