"""How a contract is shown: on its page, on the beneficiary's home page, and
as the CLI's copy.  A helper module: no view here (the view modules never
import one another)."""
from portail.acl import permissions as P
from portail.acl.policy import permissions_on
from portail.i18n import _
from portail.models.cli import summary_of
from portail.models.contract import FIELD_LABELS, THEMES
from portail.views.labels import (
    CHANNEL_LABELS,
    DECISION_LABELS,
    KIND_LABELS,
    OPINION_LABELS,
    user_name,
)
from portail.workflow.contract import CONTRACT_WORKFLOW, SHAREABLE_FIELDS, STATES


def shown_fields(request, summary):
    """``[(label, value)]`` of a summary, in the order of the contract form."""
    translate = request.localizer.translate
    rows = []
    for name in SHAREABLE_FIELDS:
        if name not in summary.fields:
            continue
        value = summary.fields[name]
        if name == 'identity':
            value = f'{value["last_name"].upper()} {value["first_names"]}'
        elif name == 'themes':
            value = ', '.join(translate(THEMES[t]) for t in value)
        elif name.endswith('_date') and value:
            value = '/'.join(reversed(value.split('-')))
        rows.append((FIELD_LABELS[name], value))
    return rows



def shared_values(request, contract):
    """What the CLI holds about ``contract``, exactly as it holds it."""
    summary = summary_of(request.root, contract)
    return shown_fields(request, summary) if summary is not None else []



def contract_details(request, contract):
    """Everything the contract page and the beneficiary's home show of a contract."""
    translate = request.localizer.translate
    can = permissions_on(request, contract, (P.EDIT_CONTRACT, P.RECORD_CONSENT, P.GIVE_CONSENT))
    return {
        'contract': contract,
        'url': request.resource_url(contract),
        'state': STATES[contract.state],
        'themes': [translate(THEMES[t]) for t in contract.themes],
        'history': [{
            'record': r,
            'actor': user_name(request, r.actor),
            'source': STATES.get(r.source, ''),
            'target': STATES[r.target],
            'channel': CHANNEL_LABELS.get(r.channel, ''),
        } for r in contract.history],
        'consents': [{
            'record': r,
            'kind': KIND_LABELS[r.kind],
            'decision': DECISION_LABELS[r.decision],
            'channel': CHANNEL_LABELS[r.channel],
            'by': user_name(request, r.recorded_by),
        } for r in contract.consents],
        'shared_fields': shared_values(request, contract),
        'opinion': contract.cli_opinion,
        'opinion_label': OPINION_LABELS.get((contract.cli_opinion or {}).get('opinion')),
        'menu': CONTRACT_WORKFLOW.possible(contract, request),
        'consent_actions': consent_actions(request, contract, can[P.GIVE_CONSENT]),
        'can_edit': can[P.EDIT_CONTRACT],
        'can_record_consent': can[P.RECORD_CONSENT],
    }



def consent_actions(request, contract, may_give=None):
    """The beneficiary's consent buttons: ``[(kind, decision, label)]``.

    ``may_give`` is the GIVE_CONSENT permission if the caller has it already."""
    if may_give is None:
        may_give = request.has_permission(P.GIVE_CONSENT, contract)
    if not may_give:
        return []
    actions = []
    for kind in ('processing', 'share_cli'):
        what = {'what': request.localizer.translate(KIND_LABELS[kind])}
        if contract.has_consent(kind):
            actions.append((kind, 'withdrawn', _('Withdraw my consent to ${what}',
                                                 mapping=what)))
        else:
            actions.append((kind, 'given', _('I consent to ${what}', mapping=what)))
            if contract.latest_consent(kind) is None:
                actions.append((kind, 'refused', _('I refuse ${what}', mapping=what)))
    return actions

