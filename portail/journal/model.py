"""Persistent classes of the journal database.  Keep them small and stable.

An entry is stored as one string: its seal (64 hex digits) followed by the
canonical JSON of its payload, the very text the seal is computed over.  The
seal is the HMAC-SHA-256 of that text with the journal key
(:mod:`portail.journal.key`), and the payload names the chain, the entry's
number and the seal of the previous entry, so an entry can be neither
altered, added, moved to another chain nor reordered without the key.
:meth:`Chain.append` is the one place that seals entries.

Every read of level 2 or 3 data appends an entry, so appending must be
cheap: ZODB calls its ``persistent_id`` hook for every Python object it
pickles, and a bucket of dataclass entries costs a dozen objects per entry
where a bucket of strings costs one (``make bench`` measured the dossier page
spending half its time re-pickling its chain's last bucket).  New chains keep
their entries in :class:`EntryTree`, whose buckets hold at most 16 entries.

Journals written before the key was introduced hold entries whose seal is a
plain SHA-256 (*legacy* entries): chains of the first layout hold
:class:`JournalEntry` instances in a plain ``IOBTree``, later ones strings.
They are read as they are; the first keyed entry of such a chain sets
:attr:`Chain.keyed_from`, and the *take-over* record of the anchor chain
(:mod:`portail.journal.ledger`), written by ``portail-init`` with the key,
fixes for good how many legacy entries each chain holds and the last one's
hash, so that no unkeyed entry can be slipped in afterwards.  No evolve step
rewrites a journal that must stay append-only.
"""
import hashlib
import json
from dataclasses import asdict, dataclass

from BTrees.IOBTree import IOBTree
from BTrees.OOBTree import OOBTree
from persistent import Persistent

JOURNAL_DB = 'journal'
ROOT_KEY = 'portail_journal'
GENESIS = '0' * 64
HASH_LENGTH = len(GENESIS)
#: the key of the anchor chain
ANCHORS = 'anchors'


@dataclass(frozen=True)
class JournalEntry:
    """One journaled action.  ``user`` is the pseudonymous account id."""

    seq: int
    at: str
    user: str
    dossier: str
    object: str
    action: str
    level: int
    detail: str
    previous: str
    hash: str
    #: the chain's key; empty in legacy entries, whose payload has no such field
    chain: str = ''

    def payload(self):
        data = asdict(self)
        del data['hash']
        if not data['chain']:
            del data['chain']
        return data


def canonical(payload):
    """The text an entry's hash is computed over."""
    return json.dumps(payload, sort_keys=True, ensure_ascii=False)


def entry_hash(payload):
    """The plain SHA-256 of a legacy entry (written before the journal key)."""
    return hashlib.sha256(canonical(payload).encode('utf-8')).hexdigest()


def encode(entry):
    """The stored form of ``entry``: its hash, then the canonical JSON of its payload."""
    return entry.hash + canonical(entry.payload())


def decode(stored):
    """The :class:`JournalEntry` of a stored entry (a string, or an entry of the
    former layout)."""
    if isinstance(stored, JournalEntry):
        return stored
    return JournalEntry(hash=stored[:HASH_LENGTH], **json.loads(stored[HASH_LENGTH:]))


def chain_key(dossier, uid):
    """The chain an entry goes to: the dossier's, or for an action that
    concerns no dossier, the acting account's (``~<uid>``)."""
    return dossier if dossier else f'~{uid}'


class EntryTree(IOBTree):
    """``seq -> stored entry``, with small buckets: an append rewrites at most
    16 entries, not the 60 of an ``IOBTree`` bucket."""

    max_leaf_size = 16


class Chain(Persistent):
    """The hash chain of one dossier (or of one user's other actions).

    After a purge, ``base_seq`` and ``base_hash`` stand for the removed start.
    Read entries through :meth:`entry`, :meth:`items` and :meth:`values`,
    which decode them.
    """

    #: number of the first keyed entry; ``None`` in a chain written before
    #: the journal key that has had no keyed entry yet
    keyed_from = None

    def __init__(self, key):
        self.key = key
        self.entries = EntryTree()
        self.length = 0
        self.head = GENESIS
        self.base_seq = 0
        self.base_hash = GENESIS
        self.keyed_from = 1

    def append(self, journal_key, at, user, dossier, obj, action, level, detail):
        """Append an entry sealed with ``journal_key`` (a
        :class:`~portail.journal.key.JournalKey`); return it."""
        if self.keyed_from is None:
            self.keyed_from = self.length + 1
        payload = {'seq': self.length + 1, 'chain': self.key, 'at': at, 'user': user,
                   'dossier': dossier, 'object': obj, 'action': action, 'level': level,
                   'detail': detail, 'previous': self.head}
        text = canonical(payload)
        seal = journal_key.seal(text)
        self.entries[payload['seq']] = seal + text
        self.length = payload['seq']
        self.head = seal
        return JournalEntry(hash=seal, **payload)

    def entry(self, seq):
        """The entry numbered ``seq``, or ``None``."""
        stored = self.entries.get(seq)
        return None if stored is None else decode(stored)

    def items(self, reverse=False):
        """``(seq, entry)`` pairs, oldest first (newest first if ``reverse``)."""
        keys = self.entries.keys()
        for seq in (reversed(list(keys)) if reverse else keys):
            yield seq, decode(self.entries[seq])

    def values(self, reverse=False):
        """The entries, oldest first (newest first if ``reverse``)."""
        for _seq, entry in self.items(reverse):
            yield entry


class Journal(Persistent):
    """The root object of the journal database."""

    #: :attr:`~portail.journal.key.JournalKey.key_id` of the key the journal is
    #: written with, recorded by ``portail-init``
    key_id = None
    #: day and account -> lookups and reads (:mod:`portail.journal.activity`),
    #: created on first use
    activity = None

    def __init__(self):
        self.chains = OOBTree()
        #: user id -> chain keys where the user has entries (for the DPO's filter)
        self.by_user = OOBTree()
        #: ISO day -> chain keys with entries that day
        self.by_day = OOBTree()
        self.anchors = Chain(ANCHORS)
        #: chain key -> ``length:head`` at the last anchor (a bare length in
        #: journals written before the key)
        self.anchored = OOBTree()

    def chain(self, key):
        chain = self.chains.get(key)
        if chain is None:
            chain = self.chains[key] = Chain(key)
        return chain
