"""The printable contract: the paper document the beneficiary signs (docs/domain.md, *Workflow*).

One page per contract (``contracts/<id>/print``) with the contract's fields,
the information notice on the processing (the very text of the public
``/notice`` page), the consents to tick on paper and the signature lines.
The print stylesheet (``@media print`` in ``static/portail.css``) drops the
menus and keeps the document.  Whoever may read the contract may print it.
"""
from pyramid.view import view_config

from portail.acl import permissions as P
from portail.models.contract import THEMES, Contract
from portail.views.labels import district_name, user_name
from portail.workflow.contract import CONTRACT_WORKFLOW, STATES


@view_config(context=Contract, name='print', renderer='portail:templates/contracts/print.pt',
             permission=P.VIEW_CONTRACT, journal='read')
def print_contract_view(request):
    contract = request.context
    dossier = contract.dossier
    translate = request.localizer.translate
    return {
        'contract': contract,
        'dossier': dossier,
        'state': STATES[contract.state],
        'themes': [translate(THEMES[t]) for t in contract.themes],
        'district': district_name(request, dossier.district),
        'referent': user_name(request, dossier.referent),
        'contract_url': request.resource_url(contract),
        'next_steps': next_steps(request, contract),
    }


def next_steps(request, contract):
    """``[(url, title)]``: the transitions of the contract's menu that have a
    page of their own (after printing, recording the paper signature)."""
    return [(request.resource_url(contract, t.page), t.title)
            for t in CONTRACT_WORKFLOW.possible(contract, request) if t.page]
