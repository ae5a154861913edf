"""Where the anonymous statistics live: ``/statistics/<district>``
(docs/domain.md, *CLI and statistics*).

Only counters are stored here, never a reference to a person or a contract.
Who may read what is data: :class:`DistrictStatistics` computes the
*statistics reader* local role for that district's CLI facilitators and
managers; the DPO and a département manager (a manager without district)
read the département's figures from the folder's ACL, never one district's
details (with the département's totals they would give a district's small
counts away).
"""
from BTrees.OOBTree import OOBTree
from persistent import Persistent

from portail.acl.localroles import STATISTICS_READING_ROLES, statistics_principals
from portail.acl.matrix import ComputedACL
from portail.models.container import Container

#: the roles of a district who read its statistics
DISTRICT_READERS = STATISTICS_READING_ROLES


class StatisticsSpace(Container):
    """The ``/statistics`` folder: one :class:`DistrictStatistics` per district."""

    __acl__ = ComputedACL('statistics')
    #: the figures the pages publish (:class:`StatisticsSnapshot`, evolve step 0009)
    snapshot = None


class DistrictStatistics(Persistent):
    """The counters of one district (see :mod:`portail.statistics.counters`)."""

    __acl__ = ComputedACL('statistics_district')

    def __init__(self):
        #: (month, dimension, value) -> BTrees.Length.Length
        self.counters = OOBTree()

    def local_principals(self, identity, now, settings):
        return statistics_principals(self, identity, now, settings)


class StatisticsSnapshot(Persistent):
    """The figures the pages publish until the next refresh (issue 21): the
    counters of every completed month, as they stood at :attr:`taken_at`
    (see :mod:`portail.statistics.snapshot`).  ``/statistics`` has one, made
    by evolve step 0009 and filled on its first refresh."""

    #: when the counters were read (aware UTC datetime), None before the first refresh
    taken_at = None
    #: the first month *not* published ('YYYY-MM'): the month of :attr:`taken_at`
    until = None
    #: a random token, new at every refresh: the key of the tables each process
    #: keeps (:mod:`portail.statistics.cache`); None before the first refresh
    version = None

    def __init__(self):
        #: (month, district, dimension, value) -> count, for every month before ``until``
        self.counts = OOBTree()
