"""Who read how much, and when: the index behind the DPO's unusual-access
report (``/unusual-access``, :mod:`portail.views.unusual_access`).

The journal's chains say, for each person, who read what.  The DPO also needs
the other way round -- which accounts looked up many people in a day, read
files outside their caseload and delegations, read at night, or read many
files in a few minutes -- without reading every chain.  So the journal writer
keeps, for each local day (Europe/Paris) and account, one small
:class:`Activity` record (``journal.activity``, an ``OOBTree`` keyed
``'<day>/<account id>'``), updated in the same journal transaction as the
entries it counts (:func:`count`).  The report reads the records of the days
asked for: a range of that tree, never a chain.

What is counted:

- *lookups*: the "already known?" searches (found or not);
- *reads* of a dossier's content (levels 2 and 3), with the *night* ones
  (local time from :data:`NIGHT_STARTS` to :data:`NIGHT_ENDS`) and the
  greatest number of reads within :data:`BURST_WINDOW` (*burst*);
- the dossiers read by a social worker or a manager who did not work for
  the person at the time of the read (neither référent nor active delegate):
  decided by the request when it journals the read
  (:func:`portail.journal.writer.reads_outside_caseload`), since caseloads
  change afterwards.  A secretary's or a CLI facilitator's role is to read
  the district's contracts or shared summaries: their unusual days show
  through lookups, night reads and bursts.  At most :data:`OUTSIDE_KEPT`
  dossier ids are kept per day, the count goes on.

A record holds opaque ids and numbers, nothing of a person's file.  Records
are removed with the journal's entries of the same age by ``portail-journal
purge`` (:func:`purge`).
"""
import bisect
from array import array
from datetime import timedelta

from BTrees.OOBTree import OOBTree
from persistent import Persistent

from portail.timefmt import LOCAL_ZONE

#: the journal actions counted as lookups
LOOKUP_ACTIONS = frozenset({'lookup', 'lookup:no-match'})
#: the journal action of a read
READ = 'read'
#: the local hours of the night: from NIGHT_STARTS (included) to NIGHT_ENDS
NIGHT_STARTS, NIGHT_ENDS = 22, 6
#: the window of a burst of reads
BURST_WINDOW = timedelta(minutes=10)
#: how many dossiers read outside one's caseload a record lists per day
OUTSIDE_KEPT = 50


class Activity(Persistent):
    """One account's lookups and reads during one local day."""

    lookups = 0
    reads = 0
    night = 0
    #: the most reads within BURST_WINDOW
    burst = 0
    #: reads of dossiers the account did not work for, and (up to
    #: OUTSIDE_KEPT) those dossiers' ids
    outside_reads = 0
    outside = ()
    #: POSIX times of the reads within BURST_WINDOW of the last one, in
    #: increasing order: the bytes of an ``array('d')`` (:func:`stamps_of`)
    recent = b''

    def add_read(self, at, outside_dossier=None):
        self.reads += 1
        local = at.astimezone(LOCAL_ZONE)
        if local.hour >= NIGHT_STARTS or local.hour < NIGHT_ENDS:
            self.night += 1
        stamp = at.timestamp()
        stamps = stamps_of(self.recent)
        # keep the times t with stamp - t < window (later ones included: an
        # entry may be moved late), then add this one in its place
        del stamps[:bisect.bisect_right(stamps, stamp - BURST_WINDOW.total_seconds())]
        stamps.insert(bisect.bisect_right(stamps, stamp), stamp)
        self.recent = stamps.tobytes()
        self.burst = max(self.burst, len(stamps))
        if outside_dossier:
            self.outside_reads += 1
            if outside_dossier not in self.outside and len(self.outside) < OUTSIDE_KEPT:
                self.outside = self.outside + (outside_dossier,)


def stamps_of(recent):
    """The sorted ``array('d')`` of an :attr:`Activity.recent`.

    Stored as the bytes of the array, a record is pickled as one object
    whatever the number of recent reads; as a tuple of floats (records
    written before issue 20, read as they are), ZODB visited every float of
    it at each read of the day: ``make bench`` found the dossier page's
    journal commit growing with the reads its account had made in the last
    ten minutes."""
    if isinstance(recent, bytes):
        stamps = array('d')
        stamps.frombytes(recent)
        return stamps
    return array('d', sorted(recent))


def key_of(day, uid):
    """The key of ``uid``'s record for the local ``day`` (a date)."""
    return f'{day.isoformat()}/{uid}'


def local_day(at):
    return at.astimezone(LOCAL_ZONE).date()


def activity_of(journal):
    """The journal's activity index, created on first use."""
    tree = getattr(journal, 'activity', None)
    if tree is None:
        tree = journal.activity = OOBTree()
    return tree


def count(journal, at, uid, dossier, action, level, outside=False):
    """Count one journal entry (appended now) in its account's day record."""
    if action in LOOKUP_ACTIONS:
        record_of(journal, at, uid).lookups += 1
    elif action == READ and dossier and level >= 2:
        record_of(journal, at, uid).add_read(at, dossier if outside else None)


def record_of(journal, at, uid):
    tree = activity_of(journal)
    key = key_of(local_day(at), uid)
    record = tree.get(key)
    if record is None:
        record = tree[key] = Activity()
    return record


def days(journal, start, end):
    """``(day, uid, record)`` of the local days ``start`` to ``end`` (dates,
    both included), by day then account id."""
    tree = getattr(journal, 'activity', None)
    if tree is None:
        return
    for key, record in tree.items(min=f'{start.isoformat()}/', max=f'{end.isoformat()}/\uffff'):
        day, uid = key.split('/', 1)
        yield day, uid, record


def purge(journal, before):
    """Remove the records of the local days before ``before`` (a date);
    return how many."""
    tree = getattr(journal, 'activity', None)
    if tree is None:
        return 0
    old = list(tree.keys(max=f'{before.isoformat()}/', excludemax=True))
    for key in old:
        del tree[key]
    return len(old)
