"""What the portal records in the anchor chain, and reading it back.

The anchor chain (``journal.anchors``) is the journal's own record of what
the portal did to the other chains.  Each record is a sealed entry whose
``action`` says what it is and whose ``detail`` lists items separated by
``;`` (at most :data:`ITEMS_PER_ENTRY` per entry, so an entry stays small):

- ``take-over`` (:func:`take_over`), the first sealed entry of the chain,
  written once by ``portail-init``: for each chain written before the
  journal key, ``key:base_seq:base_hash:legacy:head`` (its start, how many
  unsealed *legacy* entries it holds and the last one's hash).  Unsealed
  entries are accepted up to there and nowhere else;
- ``anchor`` (:func:`anchor`): ``key:length:head`` of every chain that grew
  since the last anchor;
- ``purge`` (:func:`purge`): ``key:base_seq:base_hash``, the new start of
  each chain the journal's retention shortened;
- ``remove`` (:func:`remove_chain`): ``key:length:head`` of the chain of an
  erased dossier, removed with every entry.  The key is the dossier's
  opaque random id, which names nobody once the dossier is erased.

:func:`replay` reads them back into a :class:`Ledger`, which
:mod:`portail.journal.verify` holds every chain to: a chain whose start
moved without a ``purge`` record, that is shorter than anchored, or that
is gone without a ``remove`` record, was tampered with.
"""
import hashlib
from dataclasses import dataclass, field

from portail.journal.model import ANCHORS, GENESIS
from portail.models.index import index_remove

TAKE_OVER = 'take-over'
ANCHOR = 'anchor'
PURGE = 'purge'
REMOVE = 'remove'
#: items per record entry
ITEMS_PER_ENTRY = 200
#: ``object`` of an anchor record whose line was written to the anchor file
TO_FILE = 'anchor-file'


def record(journal, key, at, action, items, obj=ANCHORS):
    """Append ``items`` to the anchor chain as ``action`` records; return the last entry."""
    chunks = [items[i:i + ITEMS_PER_ENTRY] for i in range(0, len(items), ITEMS_PER_ENTRY)]
    entry = None
    for chunk in chunks or [[]]:
        entry = journal.anchors.append(key, at.isoformat(), 'system', '', obj, action, 0,
                                       ';'.join(chunk))
    return entry


def head_at(chain, seq):
    """The hash of entry ``seq`` of ``chain`` (its base hash if ``seq`` is
    where a purge left its start), or ``None`` when that entry is gone."""
    if seq == chain.base_seq:
        return chain.base_hash
    entry = chain.entry(seq)
    return None if entry is None else entry.hash


def legacy_length(chain):
    """How many entries of ``chain`` were written before the journal key."""
    return chain.length if chain.keyed_from is None else chain.keyed_from - 1


def taken_over(journal):
    """Whether the anchor chain holds a sealed entry (the take-over comes first)."""
    anchors = journal.anchors
    return anchors.keyed_from is not None and anchors.length >= anchors.keyed_from


def take_over(journal, key, at):
    """Record, once, how many unsealed entries each chain holds, and the
    journal's key id; return whether the take-over was written now."""
    if journal.key_id is None:
        journal.key_id = key.key_id
    if taken_over(journal):
        return False
    items = []
    for chain in (journal.anchors, *journal.chains.values()):
        legacy = legacy_length(chain)
        if legacy or (chain.base_seq, chain.base_hash) != (0, GENESIS):
            items.append(f'{chain.key}:{chain.base_seq}:{chain.base_hash}:{legacy}:'
                         f'{head_at(chain, legacy) or ""}')
        if chain.keyed_from is None:
            chain.keyed_from = chain.length + 1
    record(journal, key, at, TAKE_OVER, items)
    return True


def anchored_digest(pairs):
    """``(count, digest)`` of ``(key, 'length:head')`` pairs sorted by key: the
    SHA-256 of their ``key:length:head`` lines, the anchor file's summary of
    every chain's anchored head."""
    digest = hashlib.sha256()
    count = 0
    for chain_key, value in pairs:
        digest.update(f'{chain_key}:{value}\n'.encode())
        count += 1
    return count, digest.hexdigest()


def anchor(journal, key, at, to_file=False, progress=None):
    """Append the heads of every chain that grew to the anchor chain; return
    the last entry written.  ``progress`` (a
    :class:`portail.scripts.progress.Progress`) counts the chains looked at."""
    take_over(journal, key, at)
    items = []
    for chain_key, chain in journal.chains.items():
        value = f'{chain.length}:{chain.head}'
        if journal.anchored.get(chain_key) != value:
            items.append(f'{chain_key}:{value}')
            journal.anchored[chain_key] = value
        if progress is not None:
            progress.advance()
    return record(journal, key, at, ANCHOR, items, obj=TO_FILE if to_file else ANCHORS)


def current_digest(journal):
    """``(count, digest)`` of the heads recorded by the anchors so far."""
    return anchored_digest(journal.anchored.items())


def purge(journal, key, before, at):
    """Remove entries dated before ``before`` (an aware datetime), record the
    new start of each shortened chain; return the count of entries removed."""
    take_over(journal, key, at)
    limit = before.isoformat()
    removed = 0
    items = []
    for chain in journal.chains.values():
        moved = False
        for seq in list(chain.entries.keys()):
            entry = chain.entry(seq)
            if entry.at >= limit:
                break
            chain.base_seq, chain.base_hash = seq, entry.hash
            del chain.entries[seq]
            removed += 1
            moved = True
        if moved:
            items.append(f'{chain.key}:{chain.base_seq}:{chain.base_hash}')
    if items:
        record(journal, key, at, PURGE, items)
    return removed


def remove_chain(journal, key, chain_key, at):
    """Remove the chain ``chain_key`` (an erased dossier's) with every entry
    and every index reference to it, and record its removal; return whether
    there was such a chain."""
    chain = journal.chains.get(chain_key)
    if chain is None:
        return False
    take_over(journal, key, at)
    # purged entries left their users and days in the indexes too: look everywhere
    for index in (journal.by_user, journal.by_day):
        for index_key in [k for k, bucket in index.items() if chain_key in bucket]:
            index_remove(index, index_key, chain_key)
    del journal.chains[chain_key]
    journal.anchored.pop(chain_key, None)
    record(journal, key, at, REMOVE, [f'{chain_key}:{chain.length}:{chain.head}'])
    return True


class LedgerError(ValueError):
    """A record of the anchor chain that the portal cannot have written."""

    def __init__(self, seq, reason):
        super().__init__(reason)
        self.seq, self.reason = seq, reason


@dataclass
class Ledger:
    """What the anchor chain says, up to a point."""

    #: chain key -> (length, head) at the latest anchor
    anchored: dict = field(default_factory=dict)
    #: chain key -> (base_seq, base_hash) set by the take-over or a purge
    bases: dict = field(default_factory=dict)
    #: chain key -> (legacy length, head of the last legacy entry), from the take-over
    legacy: dict = field(default_factory=dict)
    #: chain key -> (length, head) when an erasure removed it
    removed: dict = field(default_factory=dict)
    #: number of the take-over entry, if any
    take_over_seq: int | None = None
    #: number of the last anchor record whose line went to the anchor file
    last_to_file: int = 0


def replay(anchors, keyed_from, upto=None):
    """The :class:`Ledger` of the anchor chain ``anchors``, up to entry
    ``upto``.  Entries before ``keyed_from`` are unsealed and may only be
    anchors (all the portal wrote before the key); the take-over must be the
    first sealed entry.  Raises :class:`LedgerError`."""
    ledger = Ledger()
    for seq, entry in anchors.items():
        if upto is not None and seq > upto:
            break
        action = entry.action
        if seq < keyed_from and action != ANCHOR:
            raise LedgerError(seq, 'record written without the journal key')
        if (action == TAKE_OVER) != (seq == keyed_from):
            raise LedgerError(seq, 'the first sealed record is not the take-over'
                              if seq == keyed_from else 'a second take-over record')
        try:
            _apply(ledger, seq, entry)
        except ValueError:
            raise LedgerError(seq, 'record unreadable') from None
    return ledger


def _apply(ledger, seq, entry):
    items = entry.detail.split(';') if entry.detail else ()
    if entry.action == ANCHOR:
        for item in items:
            chain_key, length, head = item.rsplit(':', 2)
            ledger.anchored[chain_key] = (int(length), head)
        if entry.object == TO_FILE:
            ledger.last_to_file = seq
    elif entry.action == TAKE_OVER:
        ledger.take_over_seq = seq
        for item in items:
            chain_key, base_seq, base_hash, legacy, head = item.rsplit(':', 4)
            ledger.bases[chain_key] = (int(base_seq), base_hash)
            ledger.legacy[chain_key] = (int(legacy), head)
    elif entry.action == PURGE:
        for item in items:
            chain_key, base_seq, base_hash = item.rsplit(':', 2)
            ledger.bases[chain_key] = (int(base_seq), base_hash)
    elif entry.action == REMOVE:
        for item in items:
            chain_key, length, head = item.rsplit(':', 2)
            for known in (ledger.anchored, ledger.bases, ledger.legacy):
                known.pop(chain_key, None)
            ledger.removed[chain_key] = (int(length), head)
    else:
        raise ValueError(entry.action)
