"""A social worker's absence: all their dossiers delegated to one colleague
of the district until an end date, in one action (issue 16).

Nothing is copied into the dossiers: the delegation lives on the account
(``User.absence``) and is checked when a dossier is opened, like a delegation
given on one dossier (:func:`portail.acl.localroles.active_delegation`); the
day after its end date it grants nothing, with no job to run, and it can be
ended at any time.  The colleague finds the dossiers in their caseload and
their pending work in their "À traiter".  Giving and ending it are written
in the account's journal chain.
"""
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from portail.acl import permissions as P
from portail.acl.roles import WORKER
from portail.auth.sessions import current_identity
from portail.clock import utcnow
from portail.flash import flash
from portail.i18n import _
from portail.journal.record import record
from portail.models.dossier import Delegation
from portail.models.root import PortalRoot
from portail.validators import around_today, parse_date
from portail.views.labels import user_name


def colleagues(request, user):
    """``[(uid, name)]`` of the enabled social workers of ``user``'s district but them."""
    users = request.root.users.with_role(user.district, WORKER) if user.district else []
    return sorted(((u.uid, u.fullname) for u in users if u.uid != user.uid and not u.disabled),
                  key=lambda c: c[1])


@view_config(context=PortalRoot, name='absence', renderer='portail:templates/absence.pt',
             permission=P.MANAGE_OWN_ABSENCE)
def absence_view(request):
    identity = current_identity(request)
    user = identity.user
    now = utcnow(request.registry)
    error = None
    choices = colleagues(request, user)
    if request.method == 'POST':
        uid = request.POST.get('delegate', '')
        notes = request.POST.get('notes') == 'yes'
        allowed = around_today(request, before=0, after=1)
        until = parse_date(request.POST.get('until', ''), allowed)
        if uid not in dict(choices):
            error = _('Choose a social worker of the district.')
        elif not until:
            error = _('Give an end date, today or later.') if until is None else \
                allowed.message()
        else:
            request.root.users.set_absence(user, Delegation(uid, until, notes, user.uid, now))
            record(request, None, 'absence', 'absence-delegation', 2,
                   f'{uid} until {until.isoformat()} notes={notes}')
            flash(request, _('Your dossiers are in the care of ${name} until ${day}.',
                             mapping={'name': user_name(request, uid),
                                      'day': until.strftime('%d/%m/%Y')}))
            return HTTPSeeOther(request.resource_url(request.root, 'absence'))
        request.response.status_int = 400
    absence = user.absence
    running = absence is not None and absence.until >= now.date()
    return {'candidates': choices, 'error': error, 'today': now.date(),
            'absence': absence if running else None,
            'delegate': user_name(request, absence.delegate) if running else None}


@view_config(context=PortalRoot, name='end-absence', request_method='POST',
             permission=P.MANAGE_OWN_ABSENCE)
def end_absence_view(request):
    user = current_identity(request).user
    if user.absence is not None:
        request.root.users.set_absence(user, None)
        record(request, None, 'absence', 'absence-ended', 2)
        flash(request, _('Your dossiers are in your care alone again.'))
    return HTTPSeeOther(request.resource_url(request.root, 'absence'))
