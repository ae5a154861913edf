"""Contract pages: drafting, editing a draft, the contract page with its
history and consents, transitions and consents (docs/domain.md, *Workflow*).

Views declare permissions only; which transitions a user sees and may run
follows from the contract's ACL, which the workflow sets per state.
"""
import colander
import deform
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from portail.acl import permissions as P
from portail.acl.policy import permissions_on
from portail.clock import utcnow
from portail.conflicts import check_serial, serial_of
from portail.flash import flash
from portail.i18n import _
from portail.journal.record import READ, record, record_once
from portail.models.cli import summary_of
from portail.models.contract import CONTENT_FIELDS, THEMES, Contract
from portail.models.dossier import Dossier
from portail.validators import AsciiInt, deferred_date_around_today, text, text_problem
from portail.views.dossiers import DATE_WIDGET, district_name, user_name
from portail.views.forms import CSRFSchema, form_page, make_form
from portail.workflow.consents import record_consent
from portail.workflow.contract import (
    CONTRACT_WORKFLOW,
    SHAREABLE_FIELDS,
    STATES,
    draft_contract,
)
from portail.workflow.engine import WorkflowError

READ_BY_BENEFICIARY = _(
    'The beneficiary reads this text: write only objective elements that the '
    'follow-up needs.')

CHANNEL_LABELS = {'online': _('online'), 'paper': _('on paper'), 'in_person': _('in person')}
KIND_LABELS = {
    'notice': _('information notice delivered'),
    'processing': _('computerised processing'),
    'share_cli': _('sharing with the CLI'),
}
DECISION_LABELS = {'given': _('given'), 'refused': _('refused'), 'withdrawn': _('withdrawn')}
FIELD_LABELS = {
    'identity': _('Name and first names'),
    'start_date': _('Start date'),
    'duration_months': _('Duration (months)'),
    'themes': _('Themes'),
    'actions': _('Actions agreed'),
    'commitments': _('Commitments of the service'),
    'review_date': _('Next review date'),
}
OPINION_LABELS = {'favourable': _('favourable'), 'reserved': _('reserved'),
                  'adjourned': _('adjourned')}


@colander.deferred
def deferred_themes_widget(node, kw):
    translate = kw['request'].localizer.translate
    return deform.widget.CheckboxChoiceWidget(
        values=[(code, translate(label)) for code, label in THEMES.items()])


def validate_dates(form, value):
    from portail.models.contract import add_months

    start, review = value['start_date'], value.get('review_date')
    if review is not None and start is not None:
        end = add_months(start, value['duration_months'])
        if not start <= review <= end:
            exc = colander.Invalid(form)
            exc['review_date'] = _('The review date must fall between the start and the end '
                                   'of the contract.')
            raise exc


class ContractFields(colander.MappingSchema):
    start_date = colander.SchemaNode(colander.Date(), title=FIELD_LABELS['start_date'],
                                     widget=DATE_WIDGET, validator=deferred_date_around_today)
    duration_months = colander.SchemaNode(
        AsciiInt(), title=FIELD_LABELS['duration_months'],
        widget=deform.widget.SelectWidget(values=[(str(n), str(n)) for n in range(3, 13)]),
        validator=colander.Range(3, 12, _('From 3 to 12 months.'), _('From 3 to 12 months.')))
    themes = colander.SchemaNode(
        colander.Set(), title=FIELD_LABELS['themes'], widget=deferred_themes_widget,
        validator=colander.All(
            colander.Length(min=1, min_err=_('Choose at least one theme.')),
            colander.ContainsOnly(list(THEMES))))
    actions = colander.SchemaNode(
        colander.String(), title=FIELD_LABELS['actions'], description=READ_BY_BENEFICIARY,
        widget=deform.widget.TextAreaWidget(rows=4), validator=text(1000))
    commitments = colander.SchemaNode(
        colander.String(), title=FIELD_LABELS['commitments'], missing='',
        description=READ_BY_BENEFICIARY, widget=deform.widget.TextAreaWidget(rows=3),
        validator=text(1000))
    review_date = colander.SchemaNode(colander.Date(), title=FIELD_LABELS['review_date'],
                                      widget=DATE_WIDGET, missing=None,
                                      validator=deferred_date_around_today)


@colander.deferred
def deferred_channel_widget(node, kw):
    translate = kw['request'].localizer.translate
    return deform.widget.SelectWidget(
        values=[('', translate(_('— choose —')))]
        + [(c, translate(label)) for c, label in CHANNEL_LABELS.items()])


class NewContractSchema(CSRFSchema, ContractFields):
    notice_channel = colander.SchemaNode(
        colander.String(), title=_('Information notice handed to the beneficiary'),
        description=_('The beneficiary must receive the notice on the processing '
                      '(who reads what, for how long, their rights) before the contract.'),
        widget=deferred_channel_widget, validator=colander.OneOf(list(CHANNEL_LABELS)))


class EditContractSchema(CSRFSchema, ContractFields):
    serial = colander.SchemaNode(colander.String(), widget=deform.widget.HiddenWidget())


@view_config(context=Dossier, name='add-contract', renderer='portail:templates/form.pt',
             permission=P.ADD_CONTRACT, journal=False)
def add_contract_view(request):
    dossier = request.context
    form = make_form(request, NewContractSchema(validator=validate_dates),
                     _('Create the draft'))

    def save(appstruct):
        contract = draft_contract(request, dossier, appstruct, appstruct['notice_channel'])
        flash(request, _('The draft contract is created.'))
        return HTTPSeeOther(request.resource_url(contract))

    return form_page(request, form, {'title': _('New contract'), 'intro': None}, save)


@view_config(context=Contract, name='edit', renderer='portail:templates/form.pt',
             permission=P.EDIT_CONTRACT, journal='read')
def edit_contract_view(request):
    contract = request.context
    form = make_form(request, EditContractSchema(validator=validate_dates), _('Save'))

    def save(appstruct):
        contract.set_content(appstruct)
        contract.touch(request.authenticated_userid, utcnow(request.registry))
        request.root.dossiers.reindex_contract(contract)
        record(request, contract.dossier.__name__, f'contract:{contract.__name__}', 'change', 2)
        flash(request, _('The draft is saved.'))
        return HTTPSeeOther(request.resource_url(contract))

    values = {name: getattr(contract, name) for name in CONTENT_FIELDS}
    values['themes'] = set(contract.themes)
    values['serial'] = serial_of(contract)
    return form_page(request, form, {'title': _('Edit the draft'), 'intro': None}, save,
                     values, versioned=contract)


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


@view_config(context=Contract, name='', renderer='portail:templates/contracts/contract.pt',
             permission=P.VIEW_CONTRACT, journal='read')
def contract_view(request):
    contract = request.context
    dossier = contract.dossier
    can_see_dossier = request.has_permission(P.VIEW_DOSSIER, dossier)
    return {'d': contract_details(request, contract), 'dossier': dossier,
            'dossier_url': request.resource_url(dossier) if can_see_dossier else None,
            'district': district_name(request, dossier.district),
            'referent': user_name(request, dossier.referent)}


TRANSITION_HELP = {
    'sign': _('By signing, you agree to the contract as it reads above. Its text is then '
              'frozen; a change needs a new version.'),
    'sign_paper': _('Record that the beneficiary signed the printed contract. Keep the '
                    'signed paper in the dossier.'),
    'enter': _('The contract is entered into the information system.'),
    'keep_on_paper': _('The beneficiary refused computerised processing: the content of the '
                       'contract is erased from the portal; only its existence, dates and '
                       'district are kept.'),
    'share': _('Choose the fields the CLI strictly needs. The CLI receives a copy of those '
               'fields only, under a pseudonymous reference.'),
    'unshare': _('The copy held by the CLI is deleted at once.'),
    'amend': _('A new version is opened as a draft; the current version stays in the '
               'history. A copy shared with the CLI is withdrawn.'),
    'close': _('The contract is closed. A copy shared with the CLI is withdrawn.'),
}


@view_config(context=Contract, name='transition',
             renderer='portail:templates/contracts/transition.pt',
             permission=P.VIEW_CONTRACT, journal=False)
def transition_view(request):
    """Confirm, then run, one transition of the contract's menu."""
    contract = request.context
    params = request.POST if request.method == 'POST' else request.GET
    if request.method == 'POST':
        check_serial(request, contract)
    name = params.get('name', '')
    transition = next((t for t in CONTRACT_WORKFLOW.possible(contract, request)
                       if t.name == name), None)
    if transition is None:
        flash(request, _('This action is not possible in the current state.'), 'error')
        return HTTPSeeOther(request.resource_url(contract))
    record_once(request, contract.dossier.__name__, f'contract:{contract.__name__}', READ, 2)
    page = {'transition': transition, 'help': TRANSITION_HELP.get(name), 'error': None,
            'serial': serial_of(contract), 'contract': contract,
            'labels': FIELD_LABELS, 'shareable': SHAREABLE_FIELDS,
            'chosen': set(params.getall('fields')),
            'themes': [request.localizer.translate(THEMES[t]) for t in contract.themes]}
    if request.method != 'POST':
        return page
    comment = request.POST.get('comment', '').strip()
    problem = text_problem(comment, 500, multiline=True)
    if problem is not None:
        request.response.status_int = 400
        return dict(page, error=problem)
    options = {}
    if name == 'share':
        options['fields'] = tuple(request.POST.getall('fields'))
    if name == 'sign' and request.POST.get('read') != 'yes':
        request.response.status_int = 400
        return dict(page, error=_('Tick the box to confirm you have read the contract.'))
    channel = {'sign': 'online', 'sign_paper': 'paper'}.get(name, '')
    try:
        CONTRACT_WORKFLOW.execute(contract, request, name, comment=comment, channel=channel,
                                  **options)
    except WorkflowError as error:
        request.response.status_int = 400
        return dict(page, error=error.message)
    flash(request, _('Done: ${action}.', mapping={
        'action': request.localizer.translate(transition.title)}))
    return HTTPSeeOther(request.resource_url(contract))


def _consent_page(request, contract, kind, decision, channel, note):
    consequences = None
    if decision in ('refused', 'withdrawn'):
        consequences = {
            'processing': _('The contracts already entered are turned into paper-only '
                            'records: their content is erased from the portal.'),
            'share_cli': _('If the contract is shared, the copy held by the CLI is deleted '
                           'at once.'),
        }.get(kind)
    return {'kind': KIND_LABELS.get(kind), 'decision': DECISION_LABELS.get(decision),
            'consequences': consequences, 'serial': serial_of(contract),
            'params': {'kind': kind, 'decision': decision}, 'channel': channel, 'note': note,
            'error': None, 'recording': False}


@view_config(context=Contract, name='consent', renderer='portail:templates/contracts/consent.pt',
             permission=P.GIVE_CONSENT, journal=False)
def consent_view(request):
    """The beneficiary gives, refuses or withdraws a consent online."""
    contract = request.context
    params = request.POST if request.method == 'POST' else request.GET
    kind, decision = params.get('kind'), params.get('decision')
    if request.method == 'POST':
        check_serial(request, contract)
    allowed = {(k, d) for k, d, _label in consent_actions(request, contract)}
    if (kind, decision) not in allowed:
        flash(request, _('This choice is not possible now.'), 'error')
        return HTTPSeeOther(request.resource_url(contract))
    page = _consent_page(request, contract, kind, decision, 'online', '')
    if request.method == 'POST':
        record_consent(request, contract, kind, decision, 'online')
        flash(request, _('Your choice is recorded.'))
        return HTTPSeeOther(request.resource_url(contract))
    return page


@view_config(context=Contract, name='record-consent',
             renderer='portail:templates/contracts/consent.pt', permission=P.RECORD_CONSENT,
             journal=False)
def record_consent_view(request):
    """The référent records a consent given on paper or in person."""
    contract = request.context
    params = request.POST if request.method == 'POST' else request.GET
    kind, decision = params.get('kind', 'processing'), params.get('decision', 'given')
    channel, note = params.get('channel', 'paper'), params.get('note', '').strip()
    problem = text_problem(note, 300)
    page = _consent_page(request, contract, kind, decision, channel,
                         note if problem is None else '')
    page['recording'] = True
    if request.method == 'POST':
        check_serial(request, contract)
        if (kind not in ('processing', 'share_cli') or decision not in DECISION_LABELS
                or channel not in ('paper', 'in_person')):
            request.response.status_int = 400
            return dict(page, error=_('Choose the consent, the decision and the channel.'))
        if problem is not None:
            request.response.status_int = 400
            return dict(page, error=problem)
        record_consent(request, contract, kind, decision, channel, note)
        flash(request, _('The consent is recorded.'))
        return HTTPSeeOther(request.resource_url(contract))
    return page
