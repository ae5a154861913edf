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

from portail.acl.localroles import STATISTICS_READER
from portail.acl.root import statistics_acl, statistics_district_acl
from portail.models.container import Container

#: the roles of a district who read its statistics
DISTRICT_READERS = frozenset({'cli', 'manager'})


class StatisticsSpace(Container):
    """The ``/statistics`` folder: one :class:`DistrictStatistics` per district."""

    __acl__ = statistics_acl()


class DistrictStatistics(Persistent):
    """The counters of one district (see :mod:`portail.statistics.counters`)."""

    __acl__ = statistics_district_acl()

    def __init__(self):
        #: (month, dimension, value) -> BTrees.Length.Length
        self.counters = OOBTree()

    def local_principals(self, identity, now, settings):
        user = identity.user
        if user.district == self.__name__ and DISTRICT_READERS & set(user.roles):
            return {STATISTICS_READER}
        return set()
