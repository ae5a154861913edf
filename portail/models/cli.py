"""The CLI space: summaries shared with each district's CLI
(docs/domain.md, *Workflow* and *CLI and statistics*).

``/cli/<district>/<id>`` holds a :class:`CliSummary`: a copy of only the
fields the référent chose, under a pseudonymous reference, never the
address.  It is created by the ``share`` transition and deleted at once by
``unshare``, ``amend``, ``close`` or a withdrawn consent.
"""
import secrets

from persistent import Persistent

from portail.acl.localroles import cli_district_principals
from portail.acl.matrix import ComputedACL
from portail.models.commission import CommissionSessions
from portail.models.container import Container
from portail.models.ordered import OrderedIndex, time_key


class CliSpace(Container):
    """The ``/cli`` folder: one :class:`CliDistrict` per district."""

    __acl__ = ComputedACL('cli')


class CliDistrict(Container):
    """The summaries shared with one district's CLI: the facilitator's worklist
    reads this folder, never the dossiers.

    ``newest`` lists the summaries newest share first, by ``(time key, summary
    id)`` (:func:`worklist_key`); :meth:`add` and :meth:`remove` keep it in
    step, so the worklist reads one page of it, never the whole folder.
    """

    __acl__ = ComputedACL('cli_district')

    #: the :class:`CommissionSessions` of the district's CLI, created with its
    #: first session (None until then: nothing to migrate)
    sessions = None

    #: the name under which the sessions are traversed (summary names are
    #: 24 hexadecimal digits: they never clash)
    SESSIONS = 'sessions'

    #: the summaries without an opinion of the CLI ("sans avis"), and those on
    #: no session's agenda: keyed as ``newest``, kept in step by :meth:`add`,
    #: :meth:`remove`, :meth:`record_opinion` and :meth:`schedule` (evolve step
    #: ``0013`` creates them in the districts of an older database)
    awaiting = None
    unscheduled = None

    def __init__(self):
        super().__init__()
        self.newest = OrderedIndex()
        self.awaiting = OrderedIndex()
        self.unscheduled = OrderedIndex()

    def __getitem__(self, name):
        if name == self.SESSIONS:
            return self.session_folder()
        return super().__getitem__(name)

    def session_folder(self, create=False):
        """The district's sessions; while none was ever created, an empty
        folder that is stored only if ``create`` (the first session's POST)."""
        folder = self.sessions
        if folder is None:
            folder = CommissionSessions()
            folder.__name__, folder.__parent__ = self.SESSIONS, self
            if create:
                self.sessions = folder
        return folder

    def without_session(self, limit):
        """Up to ``limit`` summaries on no session's agenda, newest share first."""
        return [self.data[key[1]] for key in self.unscheduled.slice(0, limit)]

    def without_opinion(self, start, size):
        """The summaries at positions ``start`` to ``start + size`` of those the
        CLI gave no opinion on, newest share first."""
        return [self.data[key[1]] for key in self.awaiting.slice(start, size)]

    def record_opinion(self, summary, opinion):
        """Keep the CLI's ``opinion`` (as the contract holds it) on ``summary``."""
        summary.opinion = opinion
        self.awaiting.discard(worklist_key(summary))

    def schedule(self, summary, session):
        """Put ``summary`` on the agenda of the session named ``session``, or on
        none (``None``)."""
        summary.session = session
        if session is None:
            self.unscheduled.add(worklist_key(summary))
        else:
            self.unscheduled.discard(worklist_key(summary))

    def add(self, obj, name=None):
        name = super().add(obj, name)
        key = worklist_key(obj)
        self.newest.add(key)
        if obj.opinion is None:
            self.awaiting.add(key)
        if obj.session is None:
            self.unscheduled.add(key)
        return name

    def remove(self, name):
        obj = super().remove(name)
        key = (time_key(obj.shared_at, newest_first=True), name)
        for index in (self.newest, self.awaiting, self.unscheduled):
            index.discard(key)
        return obj

    def page(self, start, size):
        """The summaries at positions ``start`` to ``start + size`` of the
        worklist, newest share first."""
        return [self.data[key[1]] for key in self.newest.slice(start, size)]

    def rebuild_worklist(self):
        """Refill ``newest`` from the summaries (evolve step ``0005``)."""
        self.newest = OrderedIndex()
        for summary in self.data.values():
            self.newest.add(worklist_key(summary))

    def rebuild_agenda_indexes(self):
        """Refill ``awaiting`` and ``unscheduled`` from the summaries (evolve
        step ``0013``)."""
        self.awaiting, self.unscheduled = OrderedIndex(), OrderedIndex()
        for summary in self.data.values():
            if summary.opinion is None:
                self.awaiting.add(worklist_key(summary))
            if summary.session is None:
                self.unscheduled.add(worklist_key(summary))

    def local_principals(self, identity, now, settings):
        return cli_district_principals(self, identity, now, settings)


class CliSummary(Persistent):
    """What one CLI receives about one contract.

    ``contract_ref`` (dossier id, contract id) lets the opinion reach the
    contract; it is never shown to the CLI.  ``session`` names the commission
    session whose agenda holds the summary (:mod:`portail.models.commission`),
    ``None`` while on none.
    """

    session = None

    def __init__(self, district, pseudonym, fields, shared_at, contract_ref):
        self.district = district
        self.pseudonym = pseudonym
        self.fields = fields
        self.shared_at = shared_at
        self.contract_ref = contract_ref
        self.opinion = None
        self.modified_at = shared_at
        self.modified_by = None


def worklist_key(summary):
    """The key of a summary in its worklist: newest share first, then its id
    (neither ever changes)."""
    return (time_key(summary.shared_at, newest_first=True), summary.__name__)


def summary_fields(root, contract):
    """The values of the chosen fields, as the CLI will read them (the
    référent's name as it is on the day of sharing)."""
    content = contract.content()
    values = {}
    for name in contract.cli_fields:
        if name == 'identity':
            dossier = contract.dossier
            values['identity'] = {'last_name': dossier.last_name,
                                  'first_names': dossier.first_names}
        elif name == 'referent':
            referent = root.users.get(contract.dossier.referent)
            values['referent'] = referent.fullname if referent is not None else ''
        else:
            values[name] = content[name]
    return values


def summary_of(root, contract):
    """The CliSummary of ``contract`` while it is shared, else ``None``."""
    if contract.cli_summary is None:
        return None
    folder = root.cli.get(contract.dossier.district)
    return folder.get(contract.cli_summary) if folder is not None else None


def share_summary(root, contract):
    """Put the summary of ``contract`` into its district's CLI folder (run by
    the ``share`` transition, whose history line is already written: its time
    is the time of sharing)."""
    dossier = contract.dossier
    folder = root.cli[dossier.district]
    summary = CliSummary(dossier.district, 'R-' + secrets.token_hex(4).upper(),
                         summary_fields(root, contract), contract.history[-1].at,
                         (dossier.__name__, contract.__name__))
    contract.cli_summary = folder.add(summary)


def remove_summary(root, contract):
    folder = root.cli[contract.dossier.district]
    if contract.cli_summary in folder:
        folder.remove(contract.cli_summary)
    contract.cli_summary = None
