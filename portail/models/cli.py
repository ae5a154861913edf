"""The CLI space: summaries shared with each district's CLI (SPEC §4, §7).

``/cli/<district>/<id>`` holds a :class:`CliSummary`: a copy of only the
fields the référent chose, under a pseudonymous reference, never the
address.  It is created by the ``share`` transition and deleted at once by
``unshare``, ``amend``, ``close`` or a withdrawn consent.
"""
import secrets

from persistent import Persistent

from portail.acl.root import cli_acl
from portail.models.container import Container


class CliSpace(Container):
    """The ``/cli`` folder: one :class:`CliDistrict` per district."""

    __acl__ = cli_acl()


class CliDistrict(Container):
    """The summaries shared with one district's CLI."""


class CliSummary(Persistent):
    """What one CLI receives about one contract."""

    def __init__(self, district, pseudonym, fields, shared_at):
        self.district = district
        self.pseudonym = pseudonym
        self.fields = fields
        self.shared_at = shared_at


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


def share_summary(root, contract):
    dossier = contract.dossier
    folder = root.cli[dossier.district]
    summary = CliSummary(dossier.district, 'R-' + secrets.token_hex(4).upper(),
                         summary_fields(contract), contract.modified_at)
    contract.cli_summary = folder.add(summary)


def remove_summary(root, contract):
    folder = root.cli[contract.dossier.district]
    if contract.cli_summary in folder:
        folder.remove(contract.cli_summary)
    contract.cli_summary = None
