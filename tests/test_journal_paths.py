"""The access journal's less travelled paths, on real databases
(portail/journal/record.py, portail/journal/writer.py, portail/system.py):
a read journaled once per request, a change recorded through the outbox, a
read of a dossier erased meanwhile, leftovers larger than one batch, a main
database that is not initialised, a journal database that is closed, and
what a request of the portal itself (a command's) may do.

docs/journal.md tells what each of these guarantees."""
import logging
from datetime import timedelta

import pytest
import transaction
import ZODB
from pyramid.events import ApplicationCreated
from pyramid.httpexceptions import HTTPForbidden
from pyramid.registry import Registry
from ZODB.MappingStorage import MappingStorage

from portail.journal import outbox
from portail.journal.key import JournalKey, journal_key_of
from portail.journal.model import JOURNAL_DB, ROOT_KEY, Journal, chain_key
from portail.journal.record import CHANGE, READ, record, record_once
from portail.journal.verify import verify
from portail.journal.writer import (
    ATTEMPTS,
    LEFTOVERS,
    JournalUnavailable,
    JournalWriter,
    append_entry,
    drain,
    drain_at_start,
    has_leftovers,
    journal_writer,
    move_now,
)
from portail.system import SystemRequest
from portail.workflow.contract import CONTRACT_WORKFLOW, close_expired
from tests.conftest import START, RequestAs, find_dossier, logged_in
from tests.test_journal import JournalAccess, entries

KEY = JournalKey(bytes(range(32)))


def martin(portal):
    with portal.root() as root:
        return find_dossier(root, 'Martin').__name__


def outbox_records(portal):
    with portal.root() as root:
        return list(outbox.records(outbox.outbox_of(root._p_jar.root())))


def leave_in_the_outbox(portal, dossier, count):
    """Commit ``count`` changes whose entries stay in the outbox, as a server
    killed between its commit and the move leaves them."""
    for n in range(count):
        with RequestAs(portal) as request:
            outbox.moved_by_tween(request)  # the move is the tween's, which never comes
            record(request, dossier, 'dossier', f'{CHANGE}:leftover', 2, str(n))
            commit(request)


def close_the_journal(portal):
    portal.registry._zodb_databases[JOURNAL_DB].close()


def commit(request):
    """Commit the request's transaction (RequestAs aborts the next one)."""
    request.tm.commit()
    request.tm.begin()


class Started:
    """The event the portal sends once its application is built."""

    def __init__(self, registry):
        self.app = type('App', (), {'registry': registry})()


# record.py --------------------------------------------------------------------

def test_a_request_journals_each_read_once_and_its_change_through_the_outbox(portal):
    dossier = martin(portal)
    worker = logged_in(portal, 'worker1')
    before = len(entries(portal, dossier))
    with RequestAs(portal, worker) as request:
        uid = request.authenticated_userid
        assert record_once(request, dossier, 'dossier', READ, 2) is None
        # the same read again in the same request: nothing more
        assert record_once(request, dossier, 'dossier', READ, 2) is None
        record_once(request, dossier, 'notes', READ, 3)
        # a change through record_once goes to the outbox, in the request's transaction
        record_once(request, dossier, 'dossier', CHANGE, 2, 'by hand')
        record_once(request, dossier, 'dossier', CHANGE, 2, 'by hand')
        reads = request.__dict__['_portail_deferred_reads']
        assert [(r[0], r[2], r[4]) for r in reads] == [(dossier, uid, 'dossier'),
                                                       (dossier, uid, 'notes')]
        commit(request)
        # a request without the tween: its record moves as soon as it has committed
        journal_writer(portal.registry).write(reads)
    new = entries(portal, dossier)[before:]
    assert sorted((e.action, e.object, e.user) for e in new) == [
        (CHANGE, 'dossier', uid), (READ, 'dossier', uid), (READ, 'notes', uid)]
    assert outbox_records(portal) == []


def test_a_change_without_a_dossier_goes_to_the_chain_of_the_acting_account(portal):
    with RequestAs(portal) as request:
        record(request, None, 'identity', 'lookup:no-match', 1, 'reason', user='u-someone')
        commit(request)
    with JournalAccess(portal) as journal:
        chain = journal.chains[chain_key(None, 'u-someone')]
        assert [e.action for e in chain.values()] == ['lookup:no-match']
        assert verify(journal, journal_key_of(portal.registry)) is None


# writer.py ---------------------------------------------------------------------

def test_a_read_of_a_dossier_erased_meanwhile_is_not_journaled(portal):
    writer = journal_writer(portal.registry)
    dossier = martin(portal)
    before = len(entries(portal, dossier))
    at = portal.clock.now()
    writer.write([(dossier, at, 'u1', dossier, 'dossier', READ, 2, ''),
                  ('0' * 24, at, 'u1', '0' * 24, 'dossier', READ, 2, '')])
    assert len(entries(portal, dossier)) == before + 1
    with JournalAccess(portal) as journal:
        assert '0' * 24 not in journal.chains


def test_leftovers_larger_than_a_batch_are_all_moved(portal):
    dossier = martin(portal)
    before = len(entries(portal, dossier))
    leave_in_the_outbox(portal, dossier, LEFTOVERS + 3)
    assert has_leftovers(portal.registry)
    drain(portal.registry)
    assert not has_leftovers(portal.registry)
    details = [e.detail for e in entries(portal, dossier)[before:]]
    assert sorted(details, key=int) == [str(n) for n in range(LEFTOVERS + 3)]


def test_the_portal_moves_leftovers_when_it_starts(portal):
    dossier = martin(portal)
    before = len(entries(portal, dossier))
    leave_in_the_outbox(portal, dossier, 2)
    drain_at_start(Started(portal.registry))
    assert sorted(e.detail for e in entries(portal, dossier)[before:]) == ['0', '1']


def test_a_journal_closed_at_start_up_does_not_stop_the_portal(portal, caplog):
    dossier = martin(portal)
    leave_in_the_outbox(portal, dossier, 1)
    close_the_journal(portal)
    with caplog.at_level(logging.ERROR, logger='portail.journal.writer'):
        drain_at_start(Started(portal.registry))  # no exception: the portal starts
    assert 'could not be moved into the journal at start-up' in caplog.text


def test_a_command_s_record_is_left_for_a_later_batch_when_the_journal_is_closed(portal, caplog):
    dossier = martin(portal)
    with RequestAs(portal) as request:
        outbox.moved_by_tween(request)
        record(request, dossier, 'dossier', f'{CHANGE}:command', 2)
        commit(request)
        record_id = outbox.committed_record(request)
    close_the_journal(portal)
    with caplog.at_level(logging.ERROR, logger='portail.journal.writer'):
        move_now(portal.registry, record_id)
    assert f'Outbox record {record_id} left for a later batch' in caplog.text


def test_a_registry_without_databases_has_no_leftovers():
    # the benchmark generator's registry, or a command's before its databases open
    assert has_leftovers(Registry()) is False


def test_an_application_without_journal_has_no_leftovers():
    registry = Registry()
    registry._zodb_databases = {'': ZODB.DB(MappingStorage())}
    try:
        assert has_leftovers(registry) is False
    finally:
        registry._zodb_databases[''].close()


@pytest.fixture
def group():
    """A main database that was never initialised and a journal, in one group."""
    databases = {}
    main = ZODB.DB(MappingStorage(), databases=databases, database_name='')
    journal = ZODB.DB(MappingStorage(), databases=databases, database_name=JOURNAL_DB)
    with journal.transaction() as conn:
        conn.root()[ROOT_KEY] = Journal()
    yield main, journal
    main.close()
    journal.close()


def test_a_main_database_without_portal_nor_outbox_keeps_every_read(group):
    _main, journal = group
    writer = JournalWriter(journal, KEY)
    at = START + timedelta(hours=1)
    assert writer.write([('d1', at, 'u1', 'd1', 'dossier', READ, 2, '')]) is None
    assert writer.last_handled == 0
    with journal.transaction() as conn:
        chains = conn.root()[ROOT_KEY].chains
        assert [e.user for e in chains['d1'].values()] == ['u1']


def test_an_uninitialised_journal_fails_the_batch_and_the_next_one_starts_afresh():
    journal = ZODB.DB(MappingStorage())  # no journal root: portail-init never ran
    writer = JournalWriter(journal, KEY)
    at = START + timedelta(hours=1)
    try:
        with pytest.raises(JournalUnavailable):
            writer.write([('d1', at, 'u1', 'd1', 'dossier', READ, 2, '')])
        assert writer.connection is None  # dropped, a new one next time
        with journal.transaction() as conn:
            conn.root()[ROOT_KEY] = Journal()
        writer.write([('d1', at, 'u1', 'd1', 'dossier', READ, 2, 'after')])
        with journal.transaction() as conn:
            assert [e.detail for e in conn.root()[ROOT_KEY].chains['d1'].values()] == ['after']
    finally:
        journal.close()


def test_the_writer_is_created_once_per_registry(portal):
    assert journal_writer(portal.registry) is journal_writer(portal.registry)


def test_the_application_moves_leftovers_when_created(portal):
    """``drain_at_start`` runs when the application is built (ApplicationCreated)."""
    dossier = martin(portal)
    before = len(entries(portal, dossier))
    leave_in_the_outbox(portal, dossier, 1)
    portal.registry.notify(ApplicationCreated(portal.wsgi))
    assert [e.detail for e in entries(portal, dossier)[before:]] == ['0']


# system.py ---------------------------------------------------------------------

def test_the_portal_itself_runs_only_system_transitions(portal):
    """A request of the portal itself (a command's) holds no permission: a
    transition it runs as the system passes, any other is refused."""
    with portal.root() as root:
        dossier = find_dossier(root, 'Martin')
        contract = next(c for c in dossier.contracts.values() if c.state == 'shared')
        request = SystemRequest(portal.registry, root)
        assert request.authenticated_userid is None
        assert not request.has_permission('close_contract', contract)
        with pytest.raises(HTTPForbidden):
            CONTRACT_WORKFLOW.execute(contract, request, 'close')
        assert contract.state == 'shared'
        # the daily close-expired: the contract's end date has passed
        closed = close_expired(request, contract.end_date + timedelta(days=1))
        assert contract in closed and contract.state == 'closed'
        assert contract.history[-1].actor == 'system'


# writer.py under real conflicts ----------------------------------------------------

class ConcurrentCommits:
    """A synchronizer of one of the writer's transaction managers: before each
    of its next ``times`` commits, another connection commits ``change`` to
    the same database, so that the writer's commit meets a real conflict."""

    def __init__(self, db, change, times):
        self.db, self.change, self.times = db, change, times
        self.done = 0

    def newTransaction(self, txn):  # noqa: N802 (transaction's ISynchronizer)
        txn.addBeforeCommitHook(self.commit_first)

    def beforeCompletion(self, txn):  # noqa: N802
        pass

    def afterCompletion(self, txn):  # noqa: N802
        pass

    def commit_first(self):
        if self.done >= self.times:
            return
        self.done += 1
        tm = transaction.TransactionManager(explicit=True)
        conn = self.db.open(transaction_manager=tm)
        try:
            tm.begin()
            self.change(conn.root())
            tm.commit()
        finally:
            conn.close()


def test_a_conflict_deleting_the_moved_records_is_retried(portal):
    """Another process deletes the same outbox record between the writer's
    move and its own deletion: the writer retries, and the record is gone once."""
    dossier = martin(portal)
    before = len(entries(portal, dossier))
    leave_in_the_outbox(portal, dossier, 1)
    (record_id, _entries), = outbox_records(portal)
    writer = journal_writer(portal.registry)
    writer._open()
    other = ConcurrentCommits(portal.db, lambda root: outbox.outbox_of(root).pop(record_id),
                              times=1)
    writer.main_tm.registerSynch(other)
    try:
        drain(portal.registry)
    finally:
        writer.main_tm.unregisterSynch(other)
    assert other.done == 1
    assert [e.detail for e in entries(portal, dossier)[before:]] == ['0']
    assert outbox_records(portal) == []


def test_deletions_that_keep_conflicting_are_left_to_a_later_batch(portal, caplog):
    dossier = martin(portal)
    leave_in_the_outbox(portal, dossier, 1)
    (record_id, entries_), = outbox_records(portal)

    rewrites = []

    def rewrite(root):
        # the record written again meanwhile: deleting it conflicts
        rewrites.append(1)
        outbox.outbox_of(root)[record_id] = entries_ * (len(rewrites) + 1)

    writer = journal_writer(portal.registry)
    writer._open()
    other = ConcurrentCommits(portal.db, rewrite, times=ATTEMPTS)
    writer.main_tm.registerSynch(other)
    try:
        with caplog.at_level(logging.WARNING, logger='portail.journal.writer'):
            drain(portal.registry)
    finally:
        writer.main_tm.unregisterSynch(other)
    assert other.done == ATTEMPTS
    assert 'moved records could not be deleted from the outbox yet' in caplog.text


def test_a_batch_that_keeps_conflicting_is_reported_and_the_next_one_works(portal):
    """Another process appends to the same chain before each of the writer's
    commits: after ATTEMPTS conflicts the batch fails, and the next one works."""
    dossier = martin(portal)
    key = journal_key_of(portal.registry)
    at = portal.clock.now()

    def append_to_the_chain(root):
        journal = root[ROOT_KEY]
        append_entry(journal, key, dossier, at, 'u-other', dossier, 'dossier', READ, 2, '')

    before = len(entries(portal, dossier))
    writer = journal_writer(portal.registry)
    writer._open()
    other = ConcurrentCommits(portal.registry._zodb_databases[JOURNAL_DB],
                              append_to_the_chain, times=ATTEMPTS)
    writer.tm.registerSynch(other)
    try:
        with pytest.raises(JournalUnavailable):
            writer.write([(dossier, at, 'u1', dossier, 'dossier', READ, 2, 'mine')])
    finally:
        writer.tm.unregisterSynch(other)
    assert other.done == ATTEMPTS
    assert [e.user for e in entries(portal, dossier)[before:]] == ['u-other'] * ATTEMPTS
    writer.write([(dossier, at, 'u1', dossier, 'dossier', READ, 2, 'mine')])
    assert entries(portal, dossier)[-1].detail == 'mine'
    with JournalAccess(portal) as journal:
        assert verify(journal, key) is None
