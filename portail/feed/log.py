"""The feed log: an append-only list of the contract events the departmental
information system must learn of (docs/feed.md).

At each transition that enters, amends or closes a contract the
departmental system holds (:data:`EVENTS`), the transaction that runs it
appends one item ``(contract ref, event, time)`` to :attr:`FeedLog.items`, an
``LOBTree`` keyed by a *sequence number*.  A reader asks for the items after
the last number it has seen (its *cursor*).

**Why the cursor never skips an item.**  The numbers come from
:class:`Counter`, a plain persistent object holding the last number given,
*without* conflict resolution (no ``_p_resolveConflict``).  Every
transaction that takes a number writes the counter, so two concurrent ones
conflict: the one that commits second gets a ``ConflictError`` and is
retried (``pyramid_retry``), reading the counter anew.  A transaction can
thus only take number N + 1 once the transaction that took N has
committed, and items are committed in number order.  A reader whose view of
the database holds item N therefore already sees every item below N: no
item below N can be committed later, and a cursor that moves to N never
passes over an item that was still to come.  (With a conflict-resolving
counter, or numbers drawn outside the transaction, N + 1 could commit before
N, and a reader that saw N + 1 would skip N for ever.)  The price is that
transactions which enter, amend or close contracts at the same time are
serialised on the counter, which these rare, short steps afford.

The tree itself may resolve conflicts (distinct keys are merged in one
bucket): the counter alone orders the writers.  Items are never changed nor
removed; an item names its contract by reference only, and what is
delivered of it is read when it is delivered (:mod:`portail.feed.items`).
"""
from BTrees.LOBTree import LOBTree
from persistent import Persistent

#: the feed log in the main database's root mapping
FEED_KEY = 'portail_feed_log'

#: transition name → (the source states in which the departmental system
#: holds the contract, or ``None`` for any) → event name
EVENTS = {
    'enter': (None, 'entered'),
    'amend': (('entered', 'shared'), 'amended'),
    'close': (('entered', 'shared'), 'closed'),
    # the person withdrew their consent to computerised processing: the
    # departmental system must erase what it holds
    'withdraw_processing': (None, 'withdrawn'),
}


def event_of(transition, source):
    """The feed event of ``transition`` run from ``source``, or ``None``."""
    found = EVENTS.get(transition)
    if found is None:
        return None
    sources, event = found
    return event if sources is None or source in sources else None


class Counter(Persistent):
    """The last sequence number given.  Deliberately without conflict
    resolution: see the module docstring."""

    def __init__(self):
        self.value = 0

    def take(self):
        self.value += 1
        return self.value


class FeedLog(Persistent):
    """The counter and the items, ``sequence number → (dossier id, contract
    id, event, utc datetime)``."""

    def __init__(self):
        self.counter = Counter()
        self.items = LOBTree()

    def append(self, dossier, contract, event, at):
        """Append an item; return its sequence number."""
        seq = self.counter.take()
        self.items[seq] = (dossier, contract, event, at)
        return seq

    def after(self, cursor, limit):
        """Up to ``limit`` ``(seq, item)`` after ``cursor``, in order, and
        whether more follow."""
        found = []
        for seq, item in self.items.items(min=cursor, excludemin=True):
            if len(found) == limit:
                return found, True
            found.append((seq, item))
        return found, False

    @property
    def last(self):
        return self.counter.value


def create(zodb_root):
    """Create the feed log (evolve step ``0019``)."""
    if FEED_KEY not in zodb_root:
        zodb_root[FEED_KEY] = FeedLog()


def feed_log_of(zodb_root):
    """The feed log of a main database's root mapping (``None`` before step 0019)."""
    return zodb_root.get(FEED_KEY)
