"""Commission sessions of a district's CLI (issue 16).

``/cli/<district>/sessions/<id>`` is a :class:`CommissionSession`: a date and
the names of the summaries on its agenda.  The folder of sessions hangs on
the :class:`~portail.models.cli.CliDistrict` (its ``sessions`` attribute),
created with the first session: a district that never held one stores
nothing.

A session holds only names: a summary withdrawn since (consent withdrawn,
contract amended or closed) is deleted from the district's folder, and the
agenda, which reads the names against the folder, no longer shows it.
"""
from persistent import Persistent

from portail.acl.matrix import ComputedACL
from portail.models.container import Container


class CommissionSessions(Container):
    """The sessions of one district's CLI (``/cli/<district>/sessions``)."""

    __acl__ = ComputedACL('cli_session')

    def newest_first(self):
        return sorted(self.values(), key=lambda s: (s.date, s.created_at), reverse=True)


class CommissionSession(Persistent):
    """One sitting of the commission: its date and its agenda (summary names,
    in the order they were put on it)."""

    __acl__ = ComputedACL('cli_session')

    def __init__(self, date, created_by, created_at):
        self.date = date
        self.created_by = created_by
        self.created_at = created_at
        self.names = ()

    @property
    def district(self):
        """The :class:`~portail.models.cli.CliDistrict` of the session."""
        return self.__parent__.__parent__

    def agenda(self):
        """The summaries on the agenda that are still shared, in order."""
        folder = self.district
        return [folder[name] for name in self.names if name in folder]

    def assign(self, summaries):
        """Put ``summaries`` (of the district, on no agenda yet) on the agenda."""
        for summary in summaries:
            self.district.schedule(summary, self.__name__)
        self.names = self.names + tuple(s.__name__ for s in summaries)

    def unassign(self, summary):
        """Take ``summary`` off the agenda: it may go on another session."""
        self.district.schedule(summary, None)
        self.names = tuple(n for n in self.names if n != summary.__name__)
