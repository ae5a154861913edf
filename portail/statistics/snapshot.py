"""Published snapshots: the pages show completed months, frozen once a month (issue 21).

The counters (:mod:`.counters`) follow every write; a page that read them
would move by exactly one the day a worker drafts, edits or closes a
contract, and tell its readers that contract's month, state, duration and
themes.  So the pages read a :class:`~portail.models.statistics.StatisticsSnapshot`
instead: a copy of the counters of every *completed* month (before the
current month of the portal's clock, in Paris time), taken once per month.
A month appears once it has ended; its figures, and those of every earlier
month, change only at the next refresh, when a whole month of changes is
folded in at once.

When is it refreshed?  Lazily, and at most once a month: a statistics page
(or its CSV) whose snapshot is of an earlier month than the clock's takes a
new one, in its own request, before it reads it; every other request only
reads it, so a GET writes nothing in the rest of the month.  The daily
``portail-close-expired`` (cron, at night) takes it too when it is due,
after closing the contracts whose end date has passed, so that in practice
the snapshot is taken in the night of the first of the month and no reader
pays for it.  Taking one reads the counters (a few hundred per district and
year), never the contracts.  Two readers taking it at the same moment
conflict on the snapshot; the portal retries the request (``pyramid_retry``)
and the second one finds it taken.

The page says "figures as of" the day the snapshot was taken.

Each refresh gives the snapshot a new random :attr:`version`, in the same
transaction: the protected tables are kept per version in each process
(:mod:`portail.statistics.cache`, issue 20).
"""
import uuid

from BTrees.OOBTree import OOBTree

from portail.timefmt import LOCAL_ZONE

#: the month key of a contract without any date (never published)
NO_MONTH = '0000-00'


def current_month(now):
    """The month of ``now`` (aware UTC) in the département's time: 'YYYY-MM'."""
    local = now.astimezone(LOCAL_ZONE)
    return f'{local.year:04d}-{local.month:02d}'


def is_due(snapshot, now):
    """Is ``snapshot`` of another month than ``now``'s (or never taken)?"""
    return snapshot.until != current_month(now)


def refresh(statistics, now):
    """Take the snapshot of ``statistics`` (the ``/statistics`` folder) from its counters."""
    until = current_month(now)
    counts = OOBTree()
    for district, stats in statistics.items():
        for (month, dimension, value), counter in stats.counters.items(max=(until,),
                                                                      excludemax=True):
            count = counter()
            if count and month != NO_MONTH:
                counts[(month, district, dimension, value)] = count
    snapshot = statistics.snapshot
    snapshot.counts = counts
    snapshot.taken_at = now
    snapshot.until = until
    snapshot.version = uuid.uuid4().hex
    return snapshot


def published_snapshot(statistics, now):
    """The snapshot the pages read, taken first if it is due (once a month)."""
    snapshot = statistics.snapshot
    if is_due(snapshot, now):
        refresh(statistics, now)
    return snapshot


def last_year(snapshot):
    """The year of the last completed month of ``snapshot``."""
    year, month = (int(part) for part in snapshot.until.split('-'))
    return year - 1 if month == 1 else year


def years(snapshot):
    """The years a reader may choose: every year with a published count, and
    the year of the last completed month."""
    found = {last_year(snapshot)}
    if len(snapshot.counts):
        found.add(int(snapshot.counts.minKey()[0][:4]))
    return list(range(min(found), last_year(snapshot) + 1))


def months(snapshot, year):
    """The published months of ``year``: all twelve, or those before ``until``."""
    return [m for m in (f'{year:04d}-{k:02d}' for k in range(1, 13)) if m < snapshot.until]


def year_counts(snapshot, year):
    """``{(district, month, dimension, value): count}`` of ``year``'s published months."""
    return {(district, month, dimension, value): count
            for (month, district, dimension, value), count in snapshot.counts.items(
                min=(f'{year:04d}-01',), max=(f'{year:04d}-12', '\uffff'))}
