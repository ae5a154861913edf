"""Delegation and absence (docs/domain.md, *Confidentiality levels*): a colleague stands in for the
référent until an end date; an expired delegation grants nothing, with no job."""
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from portail.acl import permissions as P
from portail.acl.roles import WORKER
from portail.clock import utcnow
from portail.flash import flash
from portail.i18n import _
from portail.journal.record import record
from portail.models.dossier import Delegation, Dossier
from portail.validators import around_today, parse_date
from portail.views.labels import user_name


def candidates(request, dossier):
    users = request.root.users.with_role(dossier.district, WORKER)
    return sorted(((u.uid, u.fullname) for u in users
                   if u.uid != dossier.referent and not u.disabled), key=lambda c: c[1])


@view_config(context=Dossier, name='delegation',
             renderer='portail:templates/dossiers/delegation.pt',
             permission=P.MANAGE_DELEGATION, journal=False)
def delegation_view(request):
    dossier = request.context
    today = utcnow(request.registry).date()
    error = None
    if request.method == 'POST':
        uid = request.POST.get('delegate', '')
        notes = request.POST.get('notes') == 'yes'
        allowed = around_today(request, before=0)
        until = parse_date(request.POST.get('until', ''), allowed)
        if uid not in {c[0] for c in candidates(request, dossier)}:
            error = _('Choose a social worker of the district.')
        elif not until:
            error = _('Give an end date, today or later.') if until is None else \
                allowed.message()
        else:
            request.root.dossiers.delegate(dossier, Delegation(
                uid, until, notes, request.authenticated_userid, utcnow(request.registry)))
            record(request, dossier.__name__, 'dossier', 'delegate', 2,
                   f'{uid} until {until.isoformat()} notes={notes}')
            flash(request, _('The delegation is recorded.'))
            return HTTPSeeOther(request.resource_url(dossier, 'delegation'))
        request.response.status_int = 400
    rows = [{'uid': d.delegate, 'name': user_name(request, d.delegate), 'until': d.until,
             'notes': d.notes, 'active': d.until >= today}
            for d in dossier.delegations.values()]
    return {'dossier': dossier, 'rows': rows, 'candidates': candidates(request, dossier),
            'error': error, 'today': today}


@view_config(context=Dossier, name='revoke-delegation', request_method='POST',
             permission=P.MANAGE_DELEGATION, journal=False)
def revoke_delegation_view(request):
    dossier = request.context
    uid = request.POST.get('delegate', '')
    if uid in dossier.delegations:
        request.root.dossiers.revoke(dossier, uid)
        record(request, dossier.__name__, 'dossier', 'revoke-delegation', 2, uid)
        flash(request, _('The delegation is revoked.'))
    return HTTPSeeOther(request.resource_url(dossier, 'delegation'))
