"""Contract pages: drafting, editing a draft, the contract page with its
history and consents, transitions and consents (docs/domain.md, *Workflow*).

Views declare permissions only; which transitions a user sees and may run
follows from the contract's ACL, which the access matrix computes from its
state.  The transition page offers any transition from its declaration
(label, help text, options schema, channel: :mod:`portail.workflow.contract`)
and knows none by name.
"""
import colander
import deform
from pyramid.httpexceptions import HTTPForbidden, HTTPSeeOther
from pyramid.view import view_config

from portail.acl import permissions as P
from portail.acl.localroles import works_for_the_person
from portail.auth.sessions import current_identity
from portail.clock import utcnow
from portail.conflicts import check_serial, serial_of
from portail.flash import flash
from portail.i18n import _
from portail.journal.deriver import journal_read
from portail.journal.record import READ, record, record_once
from portail.models.contract import (
    CONTENT_FIELDS,
    FIELD_LABELS,
    THEMES,
    Contract,
    add_months,
)
from portail.models.dossier import Dossier
from portail.statistics.tables import MONTH_NAMES
from portail.validators import (
    AsciiInt,
    deferred_date_around_today,
    text,
    text_problem,
    today,
)
from portail.views.contract_display import consent_actions, contract_details
from portail.views.forms import DATE_WIDGET, CSRFSchema, form_page, make_form
from portail.views.labels import (
    CHANNEL_LABELS,
    CONSENT_EXPLANATIONS,
    DECISION_LABELS,
    KIND_LABELS,
    OPINION_LABELS,
    READ_BY_BENEFICIARY,
    district_name,
    user_name,
)
from portail.workflow.consents import record_consent
from portail.workflow.contract import CONTRACT_WORKFLOW, draft_contract
from portail.workflow.engine import WorkflowError


@colander.deferred
def deferred_themes_widget(node, kw):
    translate = kw['request'].localizer.translate
    return deform.widget.CheckboxChoiceWidget(
        values=[(code, translate(label)) for code, label in THEMES.items()])


def validate_dates(form, value):
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

    previous = renewed_contract(request, dossier)
    if previous is None:
        return form_page(request, form, {'title': _('New contract'), 'intro': None}, save,
                         new_contract_values(today(request)))
    return form_page(request, form, {'title': _('Renew the contract'), 'intro': _(
        'The new draft takes up the previous contract: it starts when that one ends. '
        'Check every field with the person before saving.')}, save, renewal_values(previous))


#: the duration a new draft proposes (months)
DEFAULT_DURATION = 6


def new_contract_values(start):
    """The fields a new draft proposes: it starts ``start`` (today), for
    :data:`DEFAULT_DURATION` months, with its review half-way.  The notice
    channel is not proposed: it records a fact the référent states each time."""
    return {'start_date': start, 'duration_months': DEFAULT_DURATION,
            'review_date': add_months(start, DEFAULT_DURATION // 2)}


def renewed_contract(request, dossier):
    """The contract named by ``?from=`` that the new draft renews (read, so
    journaled), or ``None``."""
    name = request.GET.get('from')
    previous = dossier.contracts.get(name) if isinstance(name, str) else None
    if previous is None or previous.start_date is None or not request.has_permission(
            P.VIEW_CONTRACT, previous):
        return None
    journal_read(request, previous)
    return previous


def renewal_values(previous):
    """The new draft's fields, taken up from ``previous``: it starts at its
    end, for as long, with its review as far from the start."""
    start = previous.end_date or previous.start_date
    values = {name: getattr(previous, name) for name in CONTENT_FIELDS}
    values['themes'] = set(previous.themes)
    values['start_date'] = start
    if previous.review_date is not None:
        values['review_date'] = start + (previous.review_date - previous.start_date)
    return values


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


@view_config(context=Contract, name='', renderer='portail:templates/contracts/contract.pt',
             permission=P.VIEW_CONTRACT, journal='read')
def contract_view(request):
    contract = request.context
    dossier = contract.dossier
    can_see_dossier = request.has_permission(P.VIEW_DOSSIER, dossier)
    if contract.cli_opinion is not None and contract.cli_opinion_seen_at is None:
        mark_opinion_seen(request, contract)
    return {'d': contract_details(request, contract), 'dossier': dossier,
            'dossier_url': request.resource_url(dossier) if can_see_dossier else None,
            'district': district_name(request, dossier.district),
            'referent': user_name(request, dossier.referent)}


def mark_opinion_seen(request, contract):
    """The référent, or a delegate, has now read the CLI's opinion: it leaves
    their "À traiter" (:mod:`portail.views.pending`).  Nobody else's reading counts."""
    dossier = contract.dossier
    identity = current_identity(request)
    if identity is None or not works_for_the_person(dossier, identity.user, identity.uid,
                                                    utcnow(request.registry)):
        return
    contract.cli_opinion_seen_at = utcnow(request.registry)
    request.root.dossiers.refresh_worklist(dossier)


def option_fields(transition, params):
    """The fields of ``transition``'s options schema, as the page shows them:
    a group of boxes for a set of choices (ticked as in ``params``), or one
    box to tick (never ticked in advance: a confirmation is given each time)."""
    schema = transition.options_schema()
    fields = []
    for node in schema.children if schema is not None else ():
        widget = node.widget
        if isinstance(node.typ, colander.Set):
            chosen = set(params.getall(node.name))
            fields.append({'name': node.name, 'title': node.title, 'value': None,
                           'choices': [(value, label, value in chosen)
                                       for value, label in widget.values]})
        else:
            fields.append({'name': node.name, 'title': node.title,
                           'value': widget.true_val, 'choices': None})
    return fields


def option_values(transition, post):
    """The options of ``transition`` sent with the form, validated by its
    schema: ``(options, None)``, or ``(None, the first problem found)``."""
    schema = transition.options_schema()
    if schema is None:
        return {}, None
    sent = {}
    for node in schema.children:
        if isinstance(node.typ, colander.Set):
            sent[node.name] = post.getall(node.name)
        elif node.name in post:
            sent[node.name] = post[node.name]
    try:
        return schema.deserialize(sent), None
    except colander.Invalid as invalid:
        return None, invalid.children[0].msg if invalid.children else invalid.msg


@view_config(context=Contract, name='simple', renderer='portail:templates/contracts/simple.pt',
             permission=P.VIEW_CONTRACT, journal='read')
def simple_view(request):
    """The contract in easy-to-read French (FALC, issue 17): one idea per
    sentence, dates in full, no abbreviation; the texts the référent wrote
    are shown as written."""
    contract = request.context
    translate = request.localizer.translate
    referent = user_name(request, contract.dossier.referent)
    sentences = []
    if contract.state == 'draft':
        sentences.append(_('This contract is not signed yet.'))
    elif contract.state == 'closed':
        sentences.append(_('This contract is finished.'))
    else:
        sentences.append(_('You signed this contract with ${name}.', mapping={'name': referent}))
    if contract.start_date:
        sentences.append(_('It starts on ${day}.',
                           mapping={'day': long_date(contract.start_date, translate)}))
    if contract.duration_months:
        sentences.append(_('It lasts ${n} months.', mapping={'n': contract.duration_months}))
    if contract.end_date:
        sentences.append(_('It ends on ${day}.',
                           mapping={'day': long_date(contract.end_date, translate)}))
    if contract.themes:
        sentences.append(_('It is about: ${themes}.', mapping={
            'themes': ', '.join(translate(THEMES[t]) for t in contract.themes)}))
    if contract.review_date and contract.state != 'closed':
        sentences.append(_('You will take stock with your référent on ${day}.',
                           mapping={'day': long_date(contract.review_date, translate)}))
    if contract.state == 'paper':
        sentences.append(_('This contract is kept on paper only.'))
    if contract.cli_summary is not None:
        sentences.append(_('The local commission for insertion received part of this contract.'))
    opinion = (contract.cli_opinion or {}).get('opinion')
    if opinion in OPINION_LABELS:
        sentences.append(_('The commission gave its opinion: ${opinion}.',
                           mapping={'opinion': translate(OPINION_LABELS[opinion])}))
    return {'sentences': sentences, 'actions': contract.actions,
            'commitments': contract.commitments}


def long_date(day, translate):
    """``15 novembre 2026``: a date as it is said."""
    return translate(_('${d} ${month} ${y}', mapping={
        'd': day.day, 'month': translate(MONTH_NAMES[day.month - 1]), 'y': day.year}))


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
    page = {'transition': transition, 'help': transition.help, 'error': None,
            # the wording of the page, not a right: the person reads no note meant for staff
            'for_person': contract.dossier.beneficiary == request.authenticated_userid,
            'serial': serial_of(contract), 'contract': contract,
            'options': option_fields(transition, params),
            'themes': [request.localizer.translate(THEMES[t]) for t in contract.themes]}
    if request.method != 'POST':
        return page
    comment = request.POST.get('comment', '').strip()
    problem = text_problem(comment, 500, multiline=True)
    if problem is not None:
        request.response.status_int = 400
        return dict(page, error=problem)
    options, problem = option_values(transition, request.POST)
    if problem is not None:
        request.response.status_int = 400
        return dict(page, error=problem)
    try:
        CONTRACT_WORKFLOW.execute(contract, request, transition.name, comment=comment,
                                  channel=transition.channel, **options)
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
            'consequences': consequences, 'explained': CONSENT_EXPLANATIONS.get(kind, ()),
            'serial': serial_of(contract),
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


#: what the person ticked on paper about each consent: the choices of the form
PAPER_CHOICES = {
    'processing': ('given', 'refused'),
    'share_cli': ('given', 'refused', 'not_asked'),
}


def _paper_signature_page(request, contract, values, may_enter, error=None):
    translate = request.localizer.translate
    return {'contract': contract, 'serial': serial_of(contract), 'values': values,
            'may_enter': may_enter, 'error': error,
            'themes': [translate(THEMES[t]) for t in contract.themes],
            'created': contract.created_at.date() if contract.created_at else None}


def _paper_signature_problem(request, values, may_enter):
    """The first problem of the values sent, or ``None``."""
    from portail.validators import parse_date

    signed_on = parse_date(values['signed_on'])
    if not signed_on:
        return _('Write the date of the signature (day, month, year).'), None
    if values['processing'] not in PAPER_CHOICES['processing']:
        return _('Say whether the person agreed to the computerised processing.'), None
    if values['share_cli'] not in PAPER_CHOICES['share_cli']:
        return _('Say whether the person agreed to the sharing with the CLI.'), None
    if values['enter'] and not may_enter:
        return _('You may not enter this contract.'), None
    if values['enter'] and values['processing'] != 'given':
        return _('The contract cannot be entered: the person refused the computerised '
                 'processing.'), None
    return None, signed_on


@view_config(context=Contract, name='record-paper-signature',
             renderer='portail:templates/contracts/paper_signature.pt',
             permission=P.RECORD_CONSENT, journal=False)
def paper_signature_view(request):
    """Signing on paper in one screen (issue 16): after printing, one form
    records the date the person signed, the consents they ticked on the
    paper, and, when the user would be allowed to, enters the contract at
    once -- instead of three pages (the transition, the consent, the entry).

    The page records consents, so it declares ``record_consent``: the very
    principals who may sign on paper in ``draft`` hold it, and they keep it
    afterwards, so the same form sent again meets the "Déjà fait" page
    (:mod:`portail.formkeys`) rather than a refusal.  The signature itself
    is the ``sign_paper`` transition, run by the workflow (state, its own
    permission, guards -- the signature date among them --, history,
    journal); whether entering is offered is asked of the access matrix's
    row of the state the signature leads to, never of a role.

    One transaction: the signature, the consents (:func:`record_consent`,
    channel ``paper``) and the entry commit together, or nothing does.

    A refusal of the processing: the contract is signed, and the person
    wants it kept on paper -- the portal must not hold its content any
    longer.  A social worker expects the consequence at once, as the portal
    draws it when the consent is withdrawn later: the ``keep_on_paper``
    transition runs when the user may run it once signed; otherwise the
    page says which step remains.
    """
    contract = request.context
    sign = CONTRACT_WORKFLOW.transitions['sign_paper']
    enter = CONTRACT_WORKFLOW.transitions['enter']
    keep = CONTRACT_WORKFLOW.transitions['keep_on_paper']
    if request.method == 'POST':
        check_serial(request, contract)
    if contract.state not in sign.sources:
        flash(request, _('This action is not possible in the current state.'), 'error')
        return HTTPSeeOther(request.resource_url(contract))
    if not request.has_permission(sign.permission, contract):
        raise HTTPForbidden()
    record_once(request, contract.dossier.__name__, f'contract:{contract.__name__}', READ, 2)
    may_enter = CONTRACT_WORKFLOW.permits_after(contract, request, sign.target,
                                                enter.permission)
    if request.method != 'POST':
        values = {'signed_on': today(request).isoformat(), 'processing': '',
                  'share_cli': 'not_asked', 'enter': False}
        return _paper_signature_page(request, contract, values, may_enter)
    post = request.POST
    values = {'signed_on': post.get('signed_on', ''), 'processing': post.get('processing', ''),
              'share_cli': post.get('share_cli', 'not_asked'),
              'enter': post.get('enter') == 'yes'}
    problem, signed_on = _paper_signature_problem(request, values, may_enter)
    if problem is None:
        try:
            CONTRACT_WORKFLOW.check(contract, request, sign.name, signed_on=signed_on)
        except WorkflowError as error:
            problem = error.message
    if problem is not None:
        request.response.status_int = 400
        return _paper_signature_page(request, contract, values, may_enter, problem)
    try:
        done = _sign_on_paper(request, contract, signed_on, values, keep)
    except WorkflowError as error:
        # a step after the first change refused: nothing of it is kept
        request.tm.doom()
        request.response.status_int = 400
        return _paper_signature_page(request, contract, values, may_enter, error.message)
    flash(request, done)
    return HTTPSeeOther(request.resource_url(contract))


def _sign_on_paper(request, contract, signed_on, values, keep):
    """Run the signature, record the consents, enter or keep on paper;
    return the message for the user."""
    CONTRACT_WORKFLOW.execute(contract, request, 'sign_paper', channel='paper',
                              signed_on=signed_on)
    for kind in ('processing', 'share_cli'):
        if values[kind] != 'not_asked':
            record_consent(request, contract, kind, values[kind], 'paper')
    if values['enter']:
        CONTRACT_WORKFLOW.execute(contract, request, 'enter')
        return _('The paper signature and the consents are recorded; the contract is '
                 'entered.')
    if values['processing'] == 'refused':
        if request.has_permission(keep.permission, contract):
            CONTRACT_WORKFLOW.execute(contract, request, keep.name, channel='paper')
            return _('The paper signature and the consents are recorded. The person refused '
                     'the computerised processing: the contract is kept on paper only, its '
                     'content is erased from the portal.')
        return _('The paper signature and the consents are recorded. The person refused the '
                 'computerised processing: the next step is "${step}".', mapping={
                     'step': request.localizer.translate(keep.title)})
    return _('The paper signature and the consents are recorded; the contract awaits its '
             'entry.')
