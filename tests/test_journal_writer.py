"""Group commit of read entries (portail.journal.writer)."""
import threading
import time
from datetime import timedelta

import pytest
import ZODB
from pyramid.registry import Registry
from ZODB.MappingStorage import MappingStorage
from ZODB.POSException import ConflictError

from portail.journal import outbox
from portail.journal.key import JournalKey
from portail.journal.model import JOURNAL_DB, ROOT_KEY, Journal
from portail.journal.verify import verify
from portail.journal.writer import JournalUnavailable, JournalWriter, journal_writer
from tests.conftest import START, find_dossier, logged_in
from tests.test_journal import JournalAccess, entries

AT = START + timedelta(days=22, hours=1)
KEY = JournalKey(bytes(range(32)))


@pytest.fixture
def journal_db():
    db = ZODB.DB(MappingStorage())
    with db.transaction() as conn:
        conn.root()[ROOT_KEY] = Journal()
    yield db
    db.close()


def read(key, n=0, uid='u1'):
    return (key, AT, uid, key, 'dossier', 'read', 2, str(n))


def chains(db):
    with db.transaction() as conn:
        journal = conn.root()[ROOT_KEY]
        assert verify(journal, KEY) is None
        return {k: [e.detail for e in c.values()] for k, c in journal.chains.items()}


def test_concurrent_writers_share_commits_and_lose_nothing(journal_db, monkeypatch):
    writer = JournalWriter(journal_db, KEY)
    commit = writer._commit

    def slow_commit(entries, records=()):  # as a synced disk would be: writers pile up
        time.sleep(0.005)
        return commit(entries, records)

    monkeypatch.setattr(writer, '_commit', slow_commit)
    start = threading.Barrier(8)
    errors = []

    def worker(t):
        start.wait()
        try:
            for n in range(25):
                writer.write([read(f'd{t % 3}', f'{t}-{n}')])
        except Exception as error:  # noqa: BLE001 (collected for the assertion)
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    written = chains(journal_db)
    assert sorted(d for details in written.values() for d in details) == sorted(
        f'{t}-{n}' for t in range(8) for n in range(25))
    for t in range(8):  # each thread's entries in its own order
        mine = [d for d in written[f'd{t % 3}'] if d.startswith(f'{t}-')]
        assert mine == [f'{t}-{n}' for n in range(25)]
    assert writer.entries == 200
    assert writer.batches < 150  # commits were shared


def test_a_conflict_is_retried_with_fresh_heads(journal_db, monkeypatch):
    writer = JournalWriter(journal_db, KEY)
    writer.write([read('d1', 'first')])
    commit = writer.tm.commit
    calls = []

    def conflicting_commit():
        calls.append(1)
        if len(calls) == 1:
            # another process appends to the same chain meanwhile
            with journal_db.transaction() as conn:
                conn.root()[ROOT_KEY].chain('d1').append(
                    KEY, AT.isoformat(), 'u2', 'd1', 'dossier', 'change', 2, 'other')
            raise ConflictError()
        return commit()

    monkeypatch.setattr(writer.tm, 'commit', conflicting_commit)
    writer.write([read('d1', 'second')])
    assert chains(journal_db)['d1'] == ['first', 'other', 'second']


def test_a_failed_batch_is_reported_to_its_writers_and_the_next_one_works(journal_db,
                                                                          monkeypatch):
    writer = JournalWriter(journal_db, KEY)

    def broken(entries, records=()):
        raise OSError('disk full')

    monkeypatch.setattr(writer, '_commit', broken)
    with pytest.raises(JournalUnavailable):
        writer.write([read('d1')])
    monkeypatch.undo()
    writer.write([read('d1', 'after')])
    assert chains(journal_db)['d1'] == ['after']


def test_a_read_is_committed_before_the_page_is_sent(portal):
    with portal.root() as root:
        dossier = find_dossier(root, 'Martin').__name__
    worker = logged_in(portal, 'worker1')
    before = len(entries(portal, dossier))
    worker.get(f'/dossiers/{dossier}/')
    assert [e.action for e in entries(portal, dossier)[before:]] == ['read']
    writer = journal_writer(portal.registry)
    assert writer.entries >= 1


def test_a_page_whose_read_cannot_be_journaled_is_not_shown(portal, monkeypatch):
    with portal.root() as root:
        dossier = find_dossier(root, 'Martin').__name__
    worker = logged_in(portal, 'worker1')
    before = len(entries(portal, dossier))
    writer = journal_writer(portal.registry)

    def broken(entries, records=()):
        raise OSError('journal database unreachable')

    monkeypatch.setattr(writer, '_commit', broken)
    page = worker.get(f'/dossiers/{dossier}/', status=503)
    assert 'Le journal des accès ne peut pas enregistrer cette consultation' in page.text
    assert 'MARTIN' not in page.text and 'Traceback' not in page.text
    monkeypatch.undo()
    assert len(entries(portal, dossier)) == before
    assert 'MARTIN' in worker.get(f'/dossiers/{dossier}/').text


def test_a_change_is_journaled_before_its_response_is_sent(portal):
    """A change entry, committed with the change in the outbox, is in its
    chain once the response has come back (portail.journal.outbox)."""
    with portal.root() as root:
        dossier = find_dossier(root, 'Martin').__name__
    with JournalAccess(portal, commit=True) as journal:
        count = journal.chains[dossier].length
    worker = logged_in(portal, 'worker1')
    form = worker.get(f'/dossiers/{dossier}/edit-admin').forms['form']
    form['phone'] = '01 23 45 67 89'
    form.submit().follow()
    actions = [e.action for e in entries(portal, dossier)[count:]]
    assert 'change:edit-admin' in actions
    with portal.root() as root:
        assert not list(outbox.records(outbox.outbox_of(root._p_jar.root())))


def test_every_writer_of_a_failed_batch_is_told(journal_db, monkeypatch):
    writer = JournalWriter(journal_db, KEY)
    commit = writer._commit
    calls = []

    def first_slow_then_broken(entries, records=()):
        calls.append(len(entries))
        if len(calls) == 1:
            time.sleep(0.2)  # the others queue into the next batch meanwhile
            return commit(entries, records)
        raise OSError('disk full')

    monkeypatch.setattr(writer, '_commit', first_slow_then_broken)
    outcomes = {}

    def write(name):
        try:
            writer.write([read('d1', name)])
            outcomes[name] = 'ok'
        except JournalUnavailable:
            outcomes[name] = 'unavailable'

    leader = threading.Thread(target=write, args=('a',))
    leader.start()
    while not writer.committing:
        time.sleep(0.001)
    followers = [threading.Thread(target=write, args=(n,)) for n in ('b', 'c')]
    for thread in followers:
        thread.start()
    for thread in [leader, *followers]:
        thread.join(5)
    assert outcomes == {'a': 'ok', 'b': 'unavailable', 'c': 'unavailable'}
    assert calls == [1, 2]  # b and c shared the failed batch
    assert chains(journal_db)['d1'] == ['a']


def test_a_stopped_leader_releases_the_other_writers(journal_db, monkeypatch):
    writer = JournalWriter(journal_db, KEY)

    def stopped(entries, records=()):
        raise SystemExit()

    monkeypatch.setattr(writer, '_commit', stopped)
    with pytest.raises(SystemExit):
        writer.write([read('d1', 'lost')])
    assert not writer.committing
    monkeypatch.undo()
    done = threading.Thread(target=writer.write, args=([read('d1', 'next')],))
    done.start()
    done.join(5)
    assert not done.is_alive()
    assert chains(journal_db)['d1'] == ['next']


def test_a_registry_without_the_tween_gets_its_writer():
    """A command's or the benchmark generator's registry has no journal tween,
    so its writer creates the count of requests in flight itself (it once
    waited forever on the lock it held)."""
    registry = Registry('command')
    registry.portail_journal_key = KEY
    db = ZODB.DB(MappingStorage(), database_name=JOURNAL_DB)
    got = []
    thread = threading.Thread(target=lambda: got.append(journal_writer(registry, db)),
                              daemon=True)
    thread.start()
    thread.join(10)
    db.close()
    assert got and got[0].in_flight is registry.portail_requests_in_flight
    assert got[0].in_flight.count == 0
