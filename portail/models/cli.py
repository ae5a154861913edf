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

    def __init__(self):
        super().__init__()
        self.newest = OrderedIndex()

    def add(self, obj, name=None):
        name = super().add(obj, name)
        self.newest.add(worklist_key(obj))
        return name

    def remove(self, name):
        obj = super().remove(name)
        self.newest.discard(worklist_key(obj))
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

    def local_principals(self, identity, now, settings):
        return cli_district_principals(self, identity, now, settings)


class CliSummary(Persistent):
    """What one CLI receives about one contract.

    ``contract_ref`` (dossier id, contract id) lets the opinion reach the
    contract; it is never shown to the CLI.
    """

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


def summary_fields(contract):
    """The values of the chosen fields, as the CLI will read them."""
    content = contract.content()
    values = {}
    for name in contract.cli_fields:
        if name == 'identity':
            dossier = contract.dossier
            values['identity'] = {'last_name': dossier.last_name,
                                  'first_names': dossier.first_names}
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
                         summary_fields(contract), contract.history[-1].at,
                         (dossier.__name__, contract.__name__))
    contract.cli_summary = folder.add(summary)


def remove_summary(root, contract):
    folder = root.cli[contract.dossier.district]
    if contract.cli_summary in folder:
        folder.remove(contract.cli_summary)
    contract.cli_summary = None
