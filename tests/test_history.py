"""A contract's history (issue 20): a list for every use the portal makes of
it, and an append that writes a bounded amount however long the history."""
import dataclasses
import os
from datetime import UTC, datetime, timedelta

import pytest
import transaction
import ZODB
from persistent.list import PersistentList
from ZODB.FileStorage import FileStorage

from portail.models.contract import Contract
from portail.models.history import CHUNK_SIZE, History
from portail.workflow.engine import HistoryRecord
from tests.conftest import find_dossier

T0 = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


def record(n):
    """The ``n``-th line of a contract moved back and forth (as the bench does)."""
    share = n % 2 == 1
    return HistoryRecord(
        transition='share' if share else 'unshare',
        source='entered' if share else 'shared', target='shared' if share else 'entered',
        actor=f'user-{n % 7:04d}-a1b2c3d4e5f6', at=T0 + timedelta(minutes=n),
        comment=f'Point d’étape numéro {n:05d} avec la personne.', channel='')


LENGTHS = (0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * CHUNK_SIZE + 5)


@pytest.mark.parametrize('length', LENGTHS)
def test_a_history_answers_as_the_list_it_replaces(length):
    records = [record(n) for n in range(length)]
    history = History()
    for line in records:
        history.append(line)
    assert len(history) == length and bool(history) is bool(records)
    assert list(history) == records and list(reversed(history)) == records[::-1]
    assert history == records and records == history and history == PersistentList(records)
    assert history != records + [record(99)]
    for index in range(-length, length):
        assert history[index] == records[index]
    for index in (length, -length - 1):
        with pytest.raises(IndexError):
            history[index]
        with pytest.raises(IndexError):
            history[index] = record(0)
    assert history[1:-1] == records[1:-1] and history[::-3] == records[::-3]
    assert all(line in history for line in records) and record(999) not in history
    if length:
        assert history[-1] == records[-1] and history[0] == records[0]
    assert History(records) == records


def test_a_line_is_replaced_in_place():
    """``history[i] = record``: what the erasure of comments does
    (:func:`portail.workflow.contract.keep_only_paper_facts`)."""
    records = [record(n) for n in range(2 * CHUNK_SIZE + 3)]
    history = History(records)
    for index, line in enumerate(history):
        if line.comment:
            history[index] = dataclasses.replace(line, comment='')
    assert [line.comment for line in history] == [''] * len(records)
    assert [line.at for line in history] == [line.at for line in records]
    history[-1] = records[0]
    assert history[-1] == records[0] and len(history) == len(records)


def test_only_full_chunks_come_before_the_last():
    history = History(record(n) for n in range(2 * CHUNK_SIZE + 1))
    assert [len(chunk) for chunk in history._chunks] == [CHUNK_SIZE, CHUNK_SIZE, 1]


def test_a_new_contract_has_an_empty_history():
    contract = Contract()
    assert isinstance(contract.history, History)
    assert len(contract.history) == 0 and not contract.history


def test_the_workflow_writes_into_a_history(portal):
    """The demo's contracts were made by the workflow: their histories are
    chunked, their last line names their state."""
    with portal.root() as root:
        contracts = list(find_dossier(root, 'Martin').contracts.values())
        assert contracts
        for contract in contracts:
            assert isinstance(contract.history, History)
            assert contract.history[-1].target == contract.state
            assert contract.history[0].transition == 'draft'


class Storage:
    """A contract in a FileStorage of its own; :meth:`append` commits one
    more line and answers the bytes it added to ``Data.fs``."""

    def __init__(self, path, history):
        self.path = str(path)
        self.db = ZODB.DB(FileStorage(self.path))
        self.tm = transaction.TransactionManager()
        self.conn = self.db.open(transaction_manager=self.tm)
        contract = Contract()
        contract.history = history
        self.conn.root()['contract'] = self.contract = contract
        self.tm.commit()

    def fill(self, length):
        for n in range(len(self.contract.history), length):
            self.contract.history.append(record(n))
        self.tm.commit()

    def append(self):
        before = os.path.getsize(self.path)
        self.contract.history.append(record(len(self.contract.history)))
        self.tm.commit()
        return os.path.getsize(self.path) - before

    def reopened(self):
        """The history as another connection reads it from the file."""
        conn = self.db.open()
        try:
            return list(conn.root()['contract'].history)
        finally:
            conn.close()

    def close(self):
        self.conn.close()
        self.db.close()


def test_an_append_writes_the_same_bytes_at_10_and_at_400_records(tmp_path):
    """On a real FileStorage: the bytes an append adds to the file do not
    grow with the history, and are a small part of what the single list
    it replaces wrote."""
    chunked = Storage(tmp_path / 'History.fs', History())
    chunked.fill(10)
    at_10 = chunked.append()
    chunked.fill(400)
    at_400 = chunked.append()  # the 401st line starts a chunk: the history is written too
    chunked.fill(410)
    at_410 = chunked.append()  # the 411th: the same place in its chunk as the 11th
    assert chunked.reopened() == [record(n) for n in range(411)]
    chunked.close()

    single = Storage(tmp_path / 'List.fs', PersistentList())
    single.fill(10)
    list_at_10 = single.append()
    single.fill(400)
    list_at_400 = single.append()
    single.close()

    assert at_410 == at_10  # the same chunk content, whatever the length before
    # a chunk of one line, and the history with the references of its 26 chunks
    assert at_400 < at_10
    assert list_at_10 == at_10  # below a chunk, both write the same records
    assert list_at_400 > 20 * at_400  # the single list rewrote all 400 lines


def test_a_chunk_cycle_writes_the_same_bytes_at_any_length(tmp_path):
    """Summed over a whole chunk of appends (one of which starts the chunk
    and writes the history object), the bytes differ by the history's list
    of references only: about 20 bytes a chunk, once a chunk (where the
    single list would have written 24 chunks more, 16 times over)."""
    chunked = Storage(tmp_path / 'Data.fs', History())

    def cycle():
        return sum(chunked.append() for _ in range(CHUNK_SIZE))

    chunked.fill(CHUNK_SIZE)
    early = cycle()
    chunked.fill(25 * CHUNK_SIZE)
    late = cycle()
    chunked.close()
    assert early < late < early + 25 * 30


def test_replacing_a_line_writes_its_chunk_only(tmp_path):
    chunked = Storage(tmp_path / 'Data.fs', History())
    chunked.fill(400)
    history = chunked.contract.history
    before = os.path.getsize(chunked.path)
    history[3] = dataclasses.replace(history[3], comment='')
    chunked.tm.commit()
    written = os.path.getsize(chunked.path) - before
    lines = chunked.reopened()
    assert lines[3].comment == '' and lines[4] == record(4) and len(lines) == 400
    chunked.close()
    assert written < (CHUNK_SIZE + 4) * 150
