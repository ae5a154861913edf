"""Indexes of the form ``key -> set of values`` (an OOBTree of OOTreeSets).

Every listing of the portal reads one (référent → dossiers, (district, role)
→ accounts, user → journal chains...), kept up to date on write.
"""
from BTrees.OOBTree import OOTreeSet


def index_add(index, key, value):
    """Add ``value`` under ``key``, creating the set on first use."""
    bucket = index.get(key)
    if bucket is None:
        bucket = index[key] = OOTreeSet()
    bucket.insert(value)


def index_remove(index, key, value):
    """Remove ``value`` from under ``key`` if it is there; an emptied key goes too
    (keys may be personal data, e.g. a name in the identity index, and an erased
    person must leave no key behind)."""
    bucket = index.get(key)
    if bucket is not None and value in bucket:
        bucket.remove(value)
        if not bucket:
            del index[key]
