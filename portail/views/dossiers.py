"""Dossier pages: the "already known?" lookup, creation, the dossier page,
editing identity and administrative data, reassigning the référent."""
import datetime

import colander
import deform
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from portail.acl import localroles as L
from portail.acl import permissions as P
from portail.acl.policy import permissions_on
from portail.acl.roles import WORKER
from portail.auth.sessions import current_identity
from portail.clock import utcnow
from portail.conflicts import serial_of
from portail.flash import flash
from portail.i18n import _
from portail.journal.record import CHANGE, record
from portail.letters.listing import letter_rows
from portail.models.dossier import (
    ADMIN_FIELDS,
    CONTACT_FIELDS,
    IDENTITY_FIELDS,
    Dossier,
    Dossiers,
)
from portail.models.transfer import open_transfer, open_transfers
from portail.urls import child_url_maker
from portail.validators import AsciiInt, line, phone, text
from portail.views.forms import DATE_WIDGET, CSRFSchema, form_page, make_form, validate
from portail.views.labels import district_name, user_name
from portail.views.listings import visible_notes
from portail.workflow.contract import STATES


def _birth_date_validator(node, value):
    today = utcnow(node.bindings['request'].registry).date()
    if not datetime.date(1900, 1, 1) <= value <= today:
        raise colander.Invalid(node, _('Enter a birth date between 1900 and today.'))


class IdentityFields(colander.MappingSchema):
    last_name = colander.SchemaNode(colander.String(), title=_('Last name'),
                                    validator=line(80))
    first_names = colander.SchemaNode(colander.String(), title=_('First names'),
                                      validator=line(120))
    birth_date = colander.SchemaNode(colander.Date(), title=_('Birth date'),
                                     widget=DATE_WIDGET, validator=_birth_date_validator,
                                     description=_('Day/month/year, e.g. 31/12/1980.'))


class ContactFields(colander.MappingSchema):
    """The contact details, which the person may also update themselves."""

    address = colander.SchemaNode(
        colander.String(), title=_('Address'), missing='',
        widget=deform.widget.TextAreaWidget(rows=3), validator=text(300))
    phone = colander.SchemaNode(
        colander.String(), title=_('Phone'), missing='', validator=phone())
    email = colander.SchemaNode(
        colander.String(), title=_('E-mail (optional)'), missing='',
        validator=line(254, then=colander.Email(_('This e-mail address is not valid.'))))


class AdminFields(ContactFields):
    household_size = colander.SchemaNode(
        AsciiInt(), title=_('Household size'), missing=None,
        validator=colander.Range(1, 20, _('Between 1 and 20.'), _('Between 1 and 20.')))


class LookupSchema(CSRFSchema, IdentityFields):
    reason = colander.SchemaNode(
        colander.String(), title=_('Reason for the lookup'),
        description=_('Every lookup is recorded with its reason.'),
        validator=line(200, min_length=5, min_err=_('Give the reason in a few words.')))


class DossierSchema(CSRFSchema, IdentityFields, AdminFields):
    pass


class IdentitySchema(CSRFSchema, IdentityFields):
    serial = colander.SchemaNode(colander.String(), widget=deform.widget.HiddenWidget())


class AdminSchema(CSRFSchema, AdminFields):
    serial = colander.SchemaNode(colander.String(), widget=deform.widget.HiddenWidget())


class ContactSchema(CSRFSchema, ContactFields):
    serial = colander.SchemaNode(colander.String(), widget=deform.widget.HiddenWidget())


@view_config(context=Dossiers, name='lookup', renderer='portail:templates/dossiers/lookup.pt',
             permission=P.LOOKUP, form_key=False)
def lookup_view(request):
    form = make_form(request, LookupSchema(), _('Search'))
    page = {'form': None, 'results': None, 'identity': None,
            'can_create': request.has_permission(P.CREATE_DOSSIER, request.context),
            'ask_label': _('Ask for the transfer')}
    if request.method == 'POST':
        appstruct, rendered = validate(form, request)
        if appstruct is None:
            return dict(page, form=rendered)
        matches = request.context.lookup(
            appstruct['last_name'], appstruct['first_names'], appstruct['birth_date'])
        reason = appstruct['reason']
        for dossier in matches:
            record(request, dossier.__name__, 'identity', 'lookup', 1, reason)
        if not matches:
            record(request, None, 'identity', 'lookup:no-match', 1, reason)
        results = [dict(_transfer_offer(request, d),
                        name=d.display_name, birth_date=d.birth_date,
                        district=district_name(request, d.district),
                        referent=user_name(request, d.referent)) for d in matches]
        identity = {k: appstruct[k] for k in IDENTITY_FIELDS}
        identity['birth_date'] = identity['birth_date'].isoformat()
        return dict(page, form=form.render(appstruct), results=results, identity=identity)
    return dict(page, form=form.render())


def _transfer_offer(request, dossier):
    """What the lookup offers on a match: a transfer request when the
    dossier is in another district (issue 16), or the one already sent."""
    identity = current_identity(request)
    offer = {'transfer': None, 'asked': None}
    if (dossier.district != identity.user.district and dossier.referent != identity.uid
            and request.has_permission(P.REQUEST_TRANSFER, request.context)):
        asked = open_transfer(dossier, identity.uid)
        if asked is not None:
            offer['asked'] = request.resource_url(asked)
        else:
            offer['transfer'] = dossier.__name__
    return offer


class DuplicateSchema(DossierSchema):
    """Creating a dossier for an identity that already has one: the reason
    is asked and journaled (issue 16)."""

    duplicate_reason = colander.SchemaNode(
        colander.String(), title=_('Reason for creating a second dossier'),
        description=_('A dossier with this identity already exists. A second dossier '
                      'needs a reason, which is recorded.'),
        widget=deform.widget.TextAreaWidget(rows=2),
        missing_msg=_('Give the reason in a few words.'),
        validator=text(300, min_length=5, min_err=_('Give the reason in a few words.')))


def _known(request, values):
    """The dossiers that already hold the identity ``values`` (posted text)."""
    try:
        born = datetime.date.fromisoformat((values.get('birth_date') or '').strip())
    except ValueError:
        return []
    return request.context.lookup(values.get('last_name', ''), values.get('first_names', ''),
                                  born)


@view_config(context=Dossiers, name='add', renderer='portail:templates/form.pt',
             permission=P.CREATE_DOSSIER)
def add_dossier_view(request):
    if request.method != 'POST':
        return HTTPSeeOther(request.resource_url(request.context, 'lookup'))
    known = _known(request, request.POST)
    schema = DuplicateSchema() if known else DossierSchema()
    form = make_form(request, schema, _('Create the dossier'))
    page = {'title': _('New dossier'), 'intro': _(
        'You become the référent of this dossier. Enter only what the follow-up needs.')}
    if '__formid__' not in request.POST:  # coming from the lookup: prefill the identity
        prefill = {k: request.POST.get(k, '') for k in IDENTITY_FIELDS}
        try:
            prefill['birth_date'] = datetime.date.fromisoformat(prefill['birth_date'])
        except ValueError:
            prefill['birth_date'] = colander.null
        return dict(page, form=form.render(prefill))
    appstruct, rendered = validate(form, request)
    if appstruct is None:
        return dict(page, form=rendered)
    identity = current_identity(request)
    now = utcnow(request.registry)
    dossier = Dossier(identity.user.district, identity.uid)
    for name in IDENTITY_FIELDS + ADMIN_FIELDS:
        setattr(dossier, name, appstruct[name])
    dossier.created_at = now
    dossier.touch(identity.uid, now)
    request.context.add_dossier(dossier)
    if known:
        record(request, dossier.__name__, 'dossier', 'create:duplicate', 2,
               appstruct['duplicate_reason'])
    else:
        record(request, dossier.__name__, 'dossier', 'create', 2)
    flash(request, _('The dossier is created; you are its référent.'))
    return HTTPSeeOther(request.resource_url(dossier))


def contract_rows(request, dossier):
    rows = []
    url = child_url_maker(request, dossier.contracts)
    for contract in sorted(dossier.contracts.values(), key=lambda c: c.created_at,
                           reverse=True):
        rows.append({
            'url': url(contract.__name__),
            'state': STATES[contract.state],
            'start_date': contract.start_date,
            'end_date': contract.end_date,
            'review_date': contract.review_date,
            'version': contract.version,
        })
    return rows


@view_config(context=Dossier, name='', renderer='portail:templates/dossiers/dossier.pt',
             permission=P.VIEW_DOSSIER, journal='read')
def dossier_view(request):
    dossier = request.context
    contact_change = contact_change_labels(request, dossier)
    if contact_change is not None:
        mark_contact_change_seen(request, dossier)
    can = permissions_on(request, dossier, (
        P.EDIT_IDENTITY, P.EDIT_ADMIN, P.ADD_CONTRACT, P.REASSIGN, P.MANAGE_DELEGATION,
        P.ADD_NOTE, P.VIEW_DOSSIER_JOURNAL, P.MANAGE_BENEFICIARY_ACCOUNT,
        P.EXPORT_DOSSIER, P.VIEW_REQUESTS, P.VIEW_LETTER, P.UPDATE_OWN_CONTACT))
    return {
        'why': access_reasons(request, dossier),
        'notes': visible_notes(request, dossier),
        'dossier': dossier,
        'url': request.resource_url(dossier),
        'district': district_name(request, dossier.district),
        'referent': user_name(request, dossier.referent),
        'contracts': contract_rows(request, dossier),
        'transfers': [{'url': request.resource_url(t),
                       'by': user_name(request, t.requested_by),
                       'district': district_name(request, t.to_district),
                       'at': t.created_at}
                      for t in open_transfers(dossier)
                      if request.has_permission(P.VIEW_TRANSFER, t)],
        'can': can,
        'contact_change': contact_change,
        'letters': letter_rows(request, dossier)[:5] if can[P.VIEW_LETTER] else [],
    }


def contact_change_labels(request, dossier):
    """What the person changed in their contact details, not seen yet."""
    if dossier.contact_change is None:
        return None
    labels = {'address': _('Address'), 'phone': _('Phone'), 'email': _('E-mail (optional)')}
    translate = request.localizer.translate
    return ', '.join(translate(labels[name]) for name in dossier.contact_change[1]
                     if name in labels)


def mark_contact_change_seen(request, dossier):
    """The référent, or a delegate, opened the dossier after the person
    updated their contact details: the update leaves their "À traiter"
    (the page says what changed, this once).  Nobody else's reading counts."""
    identity = current_identity(request)
    if identity is None or not L.works_for_the_person(dossier, identity.user, identity.uid,
                                                    utcnow(request.registry)):
        return
    dossier.contact_change = None
    request.root.dossiers.refresh_worklist(dossier)


def _edit(request, schema, fields, title):
    dossier = request.context
    form = make_form(request, schema, _('Save'))

    def save(appstruct):
        old_key = request.root.dossiers.identity_of(dossier)
        for name in fields:
            setattr(dossier, name, appstruct[name])
        if fields == IDENTITY_FIELDS:
            request.root.dossiers.reindex_identity(dossier, old_key)
        dossier.touch(request.authenticated_userid, utcnow(request.registry))
        record(request, dossier.__name__, 'dossier', f'{CHANGE}:{request.view_name}', 2)
        flash(request, _('The dossier is saved.'))
        return HTTPSeeOther(request.resource_url(dossier))

    values = {name: getattr(dossier, name) for name in fields}
    values['serial'] = serial_of(dossier)
    return form_page(request, form, {'title': title, 'intro': None}, save, values,
                     versioned=dossier)


@view_config(context=Dossier, name='edit-identity', renderer='portail:templates/form.pt',
             permission=P.EDIT_IDENTITY, journal='read')
def edit_identity_view(request):
    return _edit(request, IdentitySchema(), IDENTITY_FIELDS, _('Identity'))


@view_config(context=Dossier, name='edit-admin', renderer='portail:templates/form.pt',
             permission=P.EDIT_ADMIN, journal='read')
def edit_admin_view(request):
    return _edit(request, AdminSchema(), ADMIN_FIELDS, _('Administrative data'))


@view_config(context=Dossier, name='contact-details', renderer='portail:templates/form.pt',
             permission=P.UPDATE_OWN_CONTACT, journal='read')
def contact_details_view(request):
    """The person updates their phone, e-mail and postal address: applied at
    once, journaled, and shown in the référent's "À traiter" until the
    référent opens the dossier.  Identity fields are not here: they change
    through a rectification request."""
    dossier = request.context
    form = make_form(request, ContactSchema(), _('Save my contact details'))

    def save(appstruct):
        changed = tuple(name for name in CONTACT_FIELDS
                        if appstruct[name] != getattr(dossier, name))
        if not changed:
            flash(request, _('Nothing changed.'))
            return HTTPSeeOther(request.resource_url(dossier))
        now = utcnow(request.registry)
        for name in changed:
            setattr(dossier, name, appstruct[name])
        dossier.touch(request.authenticated_userid, now)
        earlier = dossier.contact_change[1] if dossier.contact_change else ()
        dossier.contact_change = (now.date().isoformat(),
                                  tuple(n for n in CONTACT_FIELDS if n in changed + earlier))
        request.root.dossiers.refresh_worklist(dossier)
        record(request, dossier.__name__, 'dossier', f'{CHANGE}:contact', 2)
        flash(request, _('Your contact details are saved. Your référent is told.'))
        return HTTPSeeOther(request.resource_url(dossier))

    values = {name: getattr(dossier, name) for name in CONTACT_FIELDS}
    values['serial'] = serial_of(dossier)
    return form_page(request, form, {
        'title': _('My contact details'),
        'intro': _('Your phone, e-mail and address help your référent reach you. To change '
                   'your name or birth date, make a rectification request.')},
        save, values, versioned=dossier)


@colander.deferred
def deferred_worker_widget(node, kw):
    return deform.widget.SelectWidget(values=kw['workers'])


class ReassignSchema(CSRFSchema):
    serial = colander.SchemaNode(colander.String(), widget=deform.widget.HiddenWidget())
    referent = colander.SchemaNode(colander.String(), title=_('New référent'),
                                   widget=deferred_worker_widget)


def district_workers(request, district):
    """Social workers of ``district``: the possible référents."""
    workers = [(u.uid, u.fullname) for u in request.root.users.with_role(district, WORKER)
               if not u.disabled]
    return sorted(workers, key=lambda w: w[1])


@view_config(context=Dossier, name='reassign', renderer='portail:templates/form.pt',
             permission=P.REASSIGN, journal=False)
def reassign_view(request):
    dossier = request.context
    workers = district_workers(request, dossier.district)
    schema = ReassignSchema()
    schema['referent'].validator = colander.OneOf([uid for uid, _name in workers])
    form = make_form(request, schema, _('Reassign'), workers=workers)
    page = {'title': _('Reassign the référent'), 'intro': _(
        'The new référent gets access to the dossier; the former référent keeps nothing.')}

    def save(appstruct):
        request.root.dossiers.set_referent(dossier, appstruct['referent'])
        dossier.touch(request.authenticated_userid, utcnow(request.registry))
        record(request, dossier.__name__, 'dossier', 'reassign', 2, appstruct['referent'])
        flash(request, _('The référent is changed.'))
        return HTTPSeeOther(request.resource_url(dossier))

    return form_page(request, form, page, save,
                     {'referent': dossier.referent, 'serial': serial_of(dossier)},
                     versioned=dossier)




#: what the "why can I see this?" line says for each local role
REASONS = (
    (L.REFERENT, _('You are the référent of this dossier.')),
    (L.DELEGATE, None),
    (L.BENEFICIARY, _('This is your own dossier.')),
    (L.SECRETARY, _('You are a secretary of the district of this dossier '
                          '(administrative data and contract entry only).')),
    (L.MANAGER, _('You are the manager of this district and a qualified social '
                        'worker.')),
)


def access_reasons(request, dossier):
    """The relations that give the current user access to ``dossier``."""
    identity = current_identity(request)
    now = utcnow(request.registry)
    held = dossier.local_principals(identity, now, request.registry.settings)
    reasons = []
    for principal, message in REASONS:
        if principal not in held:
            continue
        if message is None:
            until = L.active_delegation(dossier, identity.uid, now).until
            message = _('You stand in for the référent until ${date}.',
                        mapping={'date': until.strftime('%d/%m/%Y')})
        reasons.append(message)
    return reasons
