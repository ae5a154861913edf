"""The CLI space: summaries shared with each district's CLI (SPEC §4, §7).

``/cli/<district>/<id>`` holds a :class:`CliSummary`: a copy of only the
fields the référent chose, under a pseudonymous reference, never the
address.  It is created by the ``share`` transition and deleted at once by
``unshare``, ``amend``, ``close`` or a withdrawn consent.
"""
import secrets

from persistent import Persistent

from portail.acl.localroles import CLI
from portail.acl.root import cli_acl, cli_district_acl
from portail.models.container import Container


class CliSpace(Container):
    """The ``/cli`` folder: one :class:`CliDistrict` per district."""

    __acl__ = cli_acl()


class CliDistrict(Container):
    """The summaries shared with one district's CLI: the facilitator's worklist
    reads this folder, never the dossiers."""

    __acl__ = cli_district_acl()

    def local_principals(self, identity, now, settings):
        user = identity.user
        if 'cli' in user.roles and user.district == self.__name__:
            return {CLI}
        return set()


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
    dossier = contract.dossier
    folder = root.cli[dossier.district]
    summary = CliSummary(dossier.district, 'R-' + secrets.token_hex(4).upper(),
                         summary_fields(contract), contract.modified_at,
                         (dossier.__name__, contract.__name__))
    contract.cli_summary = folder.add(summary)


def remove_summary(root, contract):
    folder = root.cli[contract.dossier.district]
    if contract.cli_summary in folder:
        folder.remove(contract.cli_summary)
    contract.cli_summary = None
