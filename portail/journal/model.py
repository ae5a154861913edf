"""Persistent classes of the journal database.  Keep them small and stable."""
import hashlib
import json
from dataclasses import asdict, dataclass

from BTrees.IOBTree import IOBTree
from BTrees.OOBTree import OOBTree
from persistent import Persistent

JOURNAL_DB = 'journal'
ROOT_KEY = 'portail_journal'
GENESIS = '0' * 64


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

    def payload(self):
        data = asdict(self)
        del data['hash']
        return data


def entry_hash(payload):
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode('utf-8')).hexdigest()


class Chain(Persistent):
    """The hash chain of one dossier (or of one user's other actions).

    After a purge, ``base_seq`` and ``base_hash`` stand for the removed start.
    """

    def __init__(self, key):
        self.key = key
        self.entries = IOBTree()
        self.length = 0
        self.head = GENESIS
        self.base_seq = 0
        self.base_hash = GENESIS

    def append(self, at, user, dossier, obj, action, level, detail):
        payload = {'seq': self.length + 1, 'at': at, 'user': user, 'dossier': dossier,
                   'object': obj, 'action': action, 'level': level, 'detail': detail,
                   'previous': self.head}
        entry = JournalEntry(hash=entry_hash(payload), **payload)
        self.entries[entry.seq] = entry
        self.length = entry.seq
        self.head = entry.hash
        return entry


class Journal(Persistent):
    """The root object of the journal database."""

    def __init__(self):
        self.chains = OOBTree()
        #: user id -> chain keys where the user has entries (for the DPO's filter)
        self.by_user = OOBTree()
        #: ISO day -> chain keys with entries that day
        self.by_day = OOBTree()
        self.anchors = Chain('anchors')
        #: chain key -> length at the last anchor
        self.anchored = OOBTree()

    def chain(self, key):
        chain = self.chains.get(key)
        if chain is None:
            chain = self.chains[key] = Chain(key)
        return chain
