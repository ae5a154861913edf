"""Evolve steps: named, recorded, one transaction each, dry run."""
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
              '0019-create-feed-log']


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
