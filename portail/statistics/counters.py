"""Counts of contracts by district, month, state, duration and theme.

Each district has a :class:`~portail.models.statistics.DistrictStatistics`
whose ``counters`` map a key ``(month, dimension, value)`` to a
``BTrees.Length.Length``: a counter whose concurrent changes are merged by
ZODB's conflict resolution, so two transitions committed at the same time in
one district never conflict on a hot object.  The month is the contract's
start month (its creation month while no start date is set).

:func:`update` is called whenever a contract is indexed (creation, edit,
transition) or unindexed (erasure); the keys a contract counts under are kept
on the contract (``stat_keys``), so an update touches only the counters that
change.  :func:`recount` computes the same figures from the contracts, for
the evolve step (:func:`rebuild`) and for tests.
"""
from collections import Counter

from BTrees.Length import Length
from BTrees.OOBTree import OOBTree

#: the dimensions counted for every contract (themes: one key per theme)
DIMENSIONS = ('state', 'duration', 'theme')
#: the duration of a contract whose duration is not set yet
NO_DURATION = 0


def month_of(contract):
    day = contract.start_date or (contract.created_at.date() if contract.created_at else None)
    return day.strftime('%Y-%m') if day is not None else '0000-00'


def keys_of(contract):
    """The district and the counter keys one contract counts under."""
    month = month_of(contract)
    keys = [(month, 'state', contract.state),
            (month, 'duration', contract.duration_months or NO_DURATION)]
    keys.extend((month, 'theme', theme) for theme in contract.themes)
    return contract.dossier.district, tuple(sorted(keys))


def _change(statistics, district, keys, delta):
    counters = statistics[district].counters
    for key in keys:
        counter = counters.get(key)
        if counter is None:
            counter = counters[key] = Length()
        counter.change(delta)


def update(statistics, contract, removed=False):
    """Move ``contract`` to the counters of its current keys (or out of all, if
    ``removed``), touching only the counters that change."""
    old_district, old_keys = contract.stat_keys or (None, ())
    new_district, new_keys = (None, ()) if removed else keys_of(contract)
    if old_district == new_district:
        gone, added = set(old_keys) - set(new_keys), set(new_keys) - set(old_keys)
    else:
        gone, added = old_keys, new_keys
    if gone:
        _change(statistics, old_district, gone, -1)
    if added:
        _change(statistics, new_district, added, +1)
    contract.stat_keys = None if removed else (new_district, new_keys)


def snapshot(root):
    """Every non-zero counter: ``{(district, month, dimension, value): count}``."""
    found = {}
    for district, stats in root.statistics.items():
        for key, counter in stats.counters.items():
            if counter():
                found[(district, *key)] = counter()
    return found


def recount(root):
    """The same figures as :func:`snapshot`, computed from every contract."""
    counts = Counter()
    for dossier in root.dossiers.values():
        for contract in dossier.contracts.values():
            district, keys = keys_of(contract)
            for key in keys:
                counts[(district, *key)] += 1
    return dict(counts)


def rebuild(root):
    """Reset every district's counters from the contracts (evolve step, bench)."""
    for stats in root.statistics.values():
        stats.counters = OOBTree()
    for dossier in root.dossiers.values():
        for contract in dossier.contracts.values():
            contract.stat_keys = None
            update(root.statistics, contract)
