"""Working notes (level 3 in docs/domain.md, *Confidentiality levels*): writing, reading,
granting."""
import colander
import deform
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from portail.acl import permissions as P
from portail.acl.roles import WORKER
from portail.clock import utcnow
from portail.conflicts import serial_of
from portail.flash import flash
from portail.i18n import _
from portail.journal.record import record
from portail.models.dossier import Dossier
from portail.models.note import Note
from portail.validators import around_today, parse_date, text
from portail.views.forms import CSRFSchema, form_page, make_form
from portail.views.labels import READ_BY_BENEFICIARY, user_name


class NoteSchema(CSRFSchema):
    text = colander.SchemaNode(
        colander.String(), title=_('Note'), widget=deform.widget.TextAreaWidget(rows=6),
        description=READ_BY_BENEFICIARY, validator=text(4000))
    third_party = colander.SchemaNode(
        colander.Boolean(), title=_('This note holds information about someone else'),
        description=_('The beneficiary will then see only that the note exists, its date '
                      'and its author.'), missing=False)


@view_config(context=Dossier, name='add-note', renderer='portail:templates/form.pt',
             permission=P.ADD_NOTE, journal=False)
def add_note_view(request):
    dossier = request.context
    form = make_form(request, NoteSchema(), _('Save the note'))
    page = {'title': _('New working note'), 'intro': _(
        'Write only the objective elements the follow-up needs. The beneficiary can read '
        'this note unless it holds information about someone else.')}

    def save(appstruct):
        note = Note(request.authenticated_userid, appstruct['text'], appstruct['third_party'],
                    utcnow(request.registry))
        dossier.notes.add(note)
        record(request, dossier.__name__, f'note:{note.__name__}', 'create', 3)
        flash(request, _('The note is saved.'))
        return HTTPSeeOther(request.resource_url(note))

    return form_page(request, form, page, save)


@view_config(context=Note, name='', renderer='portail:templates/notes/note.pt',
             permission=P.VIEW_NOTE, journal='read')
def note_view(request):
    note = request.context
    dossier = note.dossier
    can_share = request.has_permission(P.SHARE_NOTE, note)
    return {
        'note': note,
        'author': user_name(request, note.author),
        'dossier_url': request.resource_url(dossier)
        if request.has_permission(P.VIEW_DOSSIER, dossier) else None,
        'grants': [{'uid': uid, 'name': user_name(request, uid), 'until': until}
                   for uid, until in note.grants.items()],
        'can_share': can_share,
        'can_edit': request.has_permission(P.EDIT_NOTE, note),
        'colleagues': colleagues(request, dossier, note) if can_share else [],
        'serial': serial_of(note),
    }


def colleagues(request, dossier, note):
    """Social workers of the dossier's district the author may grant the note to."""
    users = request.root.users.with_role(dossier.district, WORKER)
    return sorted(((u.uid, u.fullname) for u in users
                   if u.uid != note.author and u.uid not in note.grants and not u.disabled),
                  key=lambda c: c[1])


class EditNoteSchema(NoteSchema):
    serial = colander.SchemaNode(colander.String(), widget=deform.widget.HiddenWidget())


@view_config(context=Note, name='edit', renderer='portail:templates/form.pt',
             permission=P.EDIT_NOTE, journal='read')
def edit_note_view(request):
    note = request.context
    dossier = note.dossier
    form = make_form(request, EditNoteSchema(), _('Save the note'))

    def save(appstruct):
        note.text = appstruct['text']
        note.third_party = appstruct['third_party']
        note.touch(request.authenticated_userid, utcnow(request.registry))
        record(request, dossier.__name__, f'note:{note.__name__}', 'change', 3)
        flash(request, _('The note is saved.'))
        return HTTPSeeOther(request.resource_url(note))

    values = {'text': note.text, 'third_party': note.third_party, 'serial': serial_of(note)}
    return form_page(request, form, {'title': _('Edit the note'), 'intro': None}, save,
                     values, versioned=note)


@view_config(context=Note, name='grant', request_method='POST', permission=P.SHARE_NOTE,
             journal=False)
def grant_view(request):
    note = request.context
    dossier = note.dossier
    uid = request.POST.get('colleague', '')
    allowed = {c[0] for c in colleagues(request, dossier, note)}
    until = parse_date(request.POST.get('until', ''), around_today(request, before=0))
    if uid not in allowed or until is False:
        flash(request, _('Choose a colleague and, if you wish, a valid end date.'), 'error')
        return HTTPSeeOther(request.resource_url(note))
    note.grants[uid] = until
    note.touch(request.authenticated_userid, utcnow(request.registry))
    record(request, dossier.__name__, f'note:{note.__name__}', 'grant', 3, uid)
    flash(request, _('The colleague can now read this note.'))
    return HTTPSeeOther(request.resource_url(note))


@view_config(context=Note, name='revoke', request_method='POST', permission=P.SHARE_NOTE,
             journal=False)
def revoke_view(request):
    note = request.context
    uid = request.POST.get('colleague', '')
    if uid in note.grants:
        del note.grants[uid]
        note.touch(request.authenticated_userid, utcnow(request.registry))
        record(request, note.dossier.__name__, f'note:{note.__name__}',
               'revoke', 3, uid)
        flash(request, _('The colleague can no longer read this note.'))
    return HTTPSeeOther(request.resource_url(note))


