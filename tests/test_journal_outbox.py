"""The journal's outbox (issue 14): a change's entry commits with the change,
in the main database, and is moved into its chain exactly once, whatever
stops the move half-way.  (``tests/test_journal_crash.py`` kills a real
server; these tests stop the move at each of its steps.)"""
import contextlib
import io
from datetime import timedelta

import pytest
import transaction
import ZODB
from ZODB.FileStorage import FileStorage
from ZODB.POSException import StorageError

from portail.clock import utcnow
from portail.journal import outbox
from portail.journal.key import journal_key_of
from portail.journal.model import JOURNAL_DB
from portail.journal.writer import drain, journal_writer
from portail.retention import erase_dossier
from portail.scripts import application, init, journal, portal_root
from portail.system import SystemRequest
from tests.conftest import START, PortalTransaction, find_dossier, logged_in
from tests.test_journal import JournalAccess, entries, martin
from tests.test_scripts import INI


class Outbox(PortalTransaction):
    """The outbox and the moved ids of a test portal, in a committed transaction."""

    def view(self, conn):
        return (outbox.outbox_of(conn.root()),
                outbox.moved_of(conn.get_connection(JOURNAL_DB).root()))


def waiting(box):
    return dict(outbox.records(box))


def actions(portal, dossier, obj):
    return [e.action for e in entries(portal, dossier) if e.object == obj]


def write_note(browser, dossier, text):
    form = browser.get(f'/dossiers/{dossier}/add-note').forms['form']
    form['text'] = text
    response = form.submit(status=303)
    return response.headers['Location'].rstrip('/').rsplit('/', 1)[-1]


def entry(portal, dossier, obj='note:x', action='create'):
    """An outbox entry as ``record`` writes it, for ``dossier``."""
    return (dossier, portal.clock.now(), 'u1', dossier, obj, action, 3, '')


def test_a_change_commits_while_the_journal_refuses_and_is_journaled_once_it_is_back(
        portal, monkeypatch, caplog):
    """No request's transaction writes to the journal database: a change
    goes through when the journal's storage refuses every commit, its entry
    waits in the outbox, and the first batch after the journal is back moves it."""
    caplog.set_level('CRITICAL', logger='portail.journal.writer')
    dossier = martin(portal)
    worker = logged_in(portal, 'worker1')
    storage = portal.registry._zodb_databases[JOURNAL_DB].storage

    def refused(*args, **kw):
        raise StorageError('the journal database is down')

    monkeypatch.setattr(storage, 'tpc_begin', refused)
    note = write_note(worker, dossier, 'Écrit pendant la panne du journal')
    with portal.root() as root:
        assert note in root.dossiers[dossier].notes
    with Outbox(portal) as (box, _moved):
        [left] = waiting(box).values()
        assert [(e[4], e[5]) for e in left] == [(f'note:{note}', 'create')]
    assert actions(portal, dossier, f'note:{note}') == []
    # the note's page cannot be shown: its read cannot be journaled
    page = worker.get(f'/dossiers/{dossier}/notes/{note}/', status=503)
    assert 'Écrit pendant la panne' not in page.text
    monkeypatch.undo()
    assert 'Écrit pendant la panne' in worker.get(f'/dossiers/{dossier}/notes/{note}/').text
    assert actions(portal, dossier, f'note:{note}') == ['create', 'read']
    with Outbox(portal) as (box, _moved):
        assert waiting(box) == {}


def test_a_record_moved_but_not_deleted_is_not_journaled_twice(portal, monkeypatch):
    """Stopped between the journal's commit and the outbox's, the move
    leaves the record marked moved: the next batch deletes it, nothing more."""
    dossier = martin(portal)
    worker = logged_in(portal, 'worker1')
    writer = journal_writer(portal.registry)
    monkeypatch.setattr(writer, '_clear', lambda ids: None)  # stopped before deleting
    note = write_note(worker, dossier, 'Une note')
    with Outbox(portal) as (box, moved):
        [record_id] = waiting(box)
        assert record_id in moved
    monkeypatch.undo()
    worker.get(f'/dossiers/{dossier}/')  # any batch
    assert actions(portal, dossier, f'note:{note}') == ['create']
    with Outbox(portal) as (box, moved):
        assert waiting(box) == {} and record_id in moved
    worker.get(f'/dossiers/{dossier}/')  # the next batch forgets the id
    with Outbox(portal) as (box, moved):
        assert record_id not in moved


def test_a_record_whose_journal_commit_failed_is_moved_by_the_next_batch(portal, monkeypatch,
                                                                        caplog):
    caplog.set_level('CRITICAL', logger='portail.journal.writer')
    dossier = martin(portal)
    worker = logged_in(portal, 'worker1')
    writer = journal_writer(portal.registry)
    commit = writer.tm.commit
    calls = []

    def fails_once():
        calls.append(1)
        if len(calls) == 1:
            raise StorageError('disk full')
        return commit()

    monkeypatch.setattr(writer.tm, 'commit', fails_once)
    note = write_note(worker, dossier, 'Une note')  # answered: the note is saved
    assert actions(portal, dossier, f'note:{note}') == []
    worker.get(f'/dossiers/{dossier}/')
    assert actions(portal, dossier, f'note:{note}') == ['create']


def test_a_commands_changes_are_journaled_once_it_has_committed(portal):
    """Without a request (a command, the demo), the record is moved right
    after the transaction's commit."""
    dossier = martin(portal)
    with portal.root() as root:
        request = SystemRequest(portal.registry, root, 'system')
        from portail.journal.record import record

        record(request, dossier, 'dossier', 'test-change', 2)
        assert actions(portal, dossier, 'dossier')[-1:] != ['test-change']
    assert actions(portal, dossier, 'dossier')[-1:] == ['test-change']
    with Outbox(portal) as (box, _moved):
        assert waiting(box) == {}


def test_an_aborted_command_leaves_nothing(portal):
    dossier = martin(portal)
    before = len(entries(portal, dossier))
    with pytest.raises(RuntimeError), portal.root() as root:
        from portail.journal.record import record

        record(SystemRequest(portal.registry, root, 'system'), dossier, 'dossier', 'x', 2)
        raise RuntimeError()
    assert len(entries(portal, dossier)) == before
    with Outbox(portal) as (box, _moved):
        assert waiting(box) == {}


def test_the_entries_of_an_erased_dossier_never_bring_its_chain_back(portal, journal_key):
    dossier = martin(portal)
    with portal.root() as root:
        other = find_dossier(root, 'Durand').__name__
    with Outbox(portal) as (box, _moved):
        # left by a killed server: one request on Martin alone, one on both
        box['alone'] = (entry(portal, dossier),)
        box['both'] = (entry(portal, other, 'note:y'), entry(portal, dossier, 'note:z'))
    with portal.root() as root:
        erase_dossier(root, root.dossiers[dossier], journal_key, utcnow(portal.registry))
    with Outbox(portal) as (box, moved):
        assert 'alone' not in box and 'both' not in box
        assert moved['alone'] == moved['both'] == outbox.ERASED
        [kept] = waiting(box).values()
        assert [e[4] for e in kept] == ['note:y']
    logged_in(portal, 'worker1').get(f'/dossiers/{other}/')  # a batch moves what is left
    with JournalAccess(portal) as journal_db:
        assert dossier not in journal_db.chains
        assert [e.object for e in journal_db.chains[other].values()][-2:] == ['note:y',
                                                                              'dossier']
    with Outbox(portal) as (box, _moved):
        assert waiting(box) == {}


def test_an_entry_of_a_dossier_erased_meanwhile_is_dropped(portal):
    """The move reads the outbox after the erasure committed and its record
    was already read: the dossier is gone, so is its entry."""
    with Outbox(portal) as (box, _moved):
        box['gone'] = (entry(portal, 'f' * 24),)
    logged_in(portal, 'worker1').get(f'/dossiers/{martin(portal)}/')
    with JournalAccess(portal) as journal_db:
        assert 'f' * 24 not in journal_db.chains
    with Outbox(portal) as (box, moved):
        assert waiting(box) == {} and moved['gone'] == ''


@pytest.mark.parametrize('before', [0, 1, 3])
def test_requests_add_to_the_outbox_without_conflicting(tmp_path, before):
    """Each request inserts its record under a random id while the writer
    deletes the record it moved, the only one or the first one: the BTree
    merges those changes, nobody is retried."""
    db = ZODB.DB(FileStorage(str(tmp_path / 'Data.fs')))

    def record(n):
        return (('d', START, 'u', 'd', f'o{n}', 'a', 2, ''),)

    try:
        with db.transaction() as conn:
            outbox.create(conn.root(), {})
            box = outbox.outbox_of(conn.root())
            for n in range(before):
                box[outbox.new_record_id()] = record(n)
            moved = next(iter(waiting(box)), None)
        managers = [transaction.TransactionManager() for _ in range(4)]
        connections = [db.open(transaction_manager=tm) for tm in managers]
        for n, conn in enumerate(connections):
            box = outbox.outbox_of(conn.root())
            if n == 0 and moved is not None:
                outbox.delete(box, [moved])
            else:
                box[outbox.new_record_id()] = record(n)
        for tm in managers:
            tm.commit()  # no ConflictError
        for conn in connections:
            conn.close()
        with db.transaction() as conn:
            expected = before - 1 + 3 if before else 4
            assert len(waiting(outbox.outbox_of(conn.root()))) == expected
    finally:
        db.close()


@pytest.fixture
def site(tmp_path):
    """An initialised FileStorage site, its ini file and a record a killed
    server left in the outbox, ten minutes old."""
    ini = tmp_path / 'portail.ini'
    ini.write_text(INI.format(var=tmp_path))
    with contextlib.redirect_stdout(io.StringIO()):
        assert init.main([str(ini), '--demo']) == 0
    dossier = leave(tmp_path, 'left', START - timedelta(minutes=10))
    return str(ini), dossier


def leave(var, record_id, at):
    """Put a record of a note's creation on Martin's dossier in the outbox of
    ``var/Data.fs``, as a killed server leaves it; return the dossier id."""
    db = ZODB.DB(FileStorage(str(var / 'Data.fs')))
    try:
        with db.transaction() as conn:
            root = conn.root()['portail']
            dossier = find_dossier(root, 'Martin').__name__
            uid = root.users.find_login('worker1').uid
            outbox.outbox_of(conn.root())[record_id] = (
                (dossier, at, uid, dossier, f'note:{record_id}', 'create', 3, ''),)
    finally:
        db.close()
    return dossier


def run(ini, command):
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        status = journal.main([ini, command])
    return status, out.getvalue()


def chain_objects(ini, dossier):
    with application(ini) as registry, portal_root(registry, 'read') as root:
        journal_db = root._p_jar.get_connection(JOURNAL_DB).root()['portail_journal']
        box = outbox.outbox_of(root._p_jar.root())
        return [e.object for e in journal_db.chains[dossier].values()], len(waiting(box))


def test_the_portal_moves_what_a_killed_server_left_when_it_starts(site):
    ini, dossier = site
    status, out = run(ini, 'verify')
    assert status == 0 and 'journal intact' in out and 'outbox' not in out
    objects, left = chain_objects(ini, dossier)
    assert objects.count('note:left') == 1 and left == 0


def test_verify_reports_entries_left_in_the_outbox(site, monkeypatch):
    """When the start could not move them (here: it is kept from trying),
    verify says so, and drain moves them."""
    ini, dossier = site
    monkeypatch.setattr('portail.journal.writer.has_leftovers', lambda registry: False)
    status, out = run(ini, 'verify')
    assert status == 1
    assert ('NOT JOURNALED: 1 change entr(y/ies) of 1 request(s) still in the outbox, the '
            f'oldest of {(START - timedelta(minutes=10)).isoformat()} (run portail-journal '
            'drain)') in out
    status, out = run(ini, 'drain')
    assert status == 0 and 'the change entries of 1 request(s) moved' in out
    status, out = run(ini, 'verify')
    assert status == 0 and 'outbox' not in out
    objects, left = chain_objects(ini, dossier)
    assert objects.count('note:left') == 1 and left == 0


def test_verify_says_entries_of_the_last_minutes_are_being_journaled(tmp_path, monkeypatch):
    ini = tmp_path / 'portail.ini'
    ini.write_text(INI.format(var=tmp_path))
    with contextlib.redirect_stdout(io.StringIO()):
        assert init.main([str(ini), '--demo']) == 0
    leave(tmp_path, 'fresh', START - timedelta(minutes=1))
    monkeypatch.setattr('portail.journal.writer.has_leftovers', lambda registry: False)
    status, out = run(str(ini), 'verify')
    assert status == 0 and 'being journaled: 1 change entr(y/ies)' in out


def test_a_move_that_meets_the_erasure_of_its_dossier_leaves_no_chain(site, monkeypatch):
    """The erasure commits while a move of the dossier's record is under
    way: both mark the record's id, so the move conflicts (FileStorage does
    not merge two inserts of one key), is retried, and finds it erased."""
    ini, dossier = site
    monkeypatch.setattr('portail.journal.writer.has_leftovers', lambda registry: False)
    with application(ini) as registry:
        writer = journal_writer(registry)
        commit = writer.tm.commit
        attempts = []

        def erased_meanwhile():
            attempts.append(1)
            if len(attempts) == 1:
                with portal_root(registry, 'erase') as root:
                    erase_dossier(root, root.dossiers[dossier], journal_key_of(registry),
                                  utcnow(registry))
            return commit()

        monkeypatch.setattr(writer.tm, 'commit', erased_meanwhile)
        drain(registry)
        assert len(attempts) == 2
        with portal_root(registry, 'read') as root:
            journal_root = root._p_jar.get_connection(JOURNAL_DB).root()
            assert dossier not in journal_root['portail_journal'].chains
            assert not waiting(outbox.outbox_of(root._p_jar.root()))
    status, out = run(ini, 'verify')
    assert status == 0, out
