"""Transfer requests (issue 16): the lookup finds the person in another
district; rather than a duplicate, the worker asks the dossier's référent
(or a qualified manager of its district) to transfer it to them.

The requester never opens the dossier before the transfer: their pages show
the level 1 fields the lookup already showed (name, birth date, district,
référent), their reason and the answer.
"""
import datetime

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from portail.acl import permissions as P
from portail.acl.roles import WORKER, granted_roles
from portail.auth.sessions import current_identity
from portail.clock import utcnow
from portail.conflicts import check_serial, serial_of
from portail.flash import flash
from portail.i18n import _
from portail.journal.deriver import journal_read
from portail.journal.record import record
from portail.models.dossier import IDENTITY_FIELDS, Dossiers
from portail.models.transfer import (
    ACCEPTED,
    OPEN,
    REFUSED,
    STATUSES,
    TransferRequest,
    accept,
    open_transfer,
    refuse,
)
from portail.validators import text_problem
from portail.views.labels import district_name, user_name

REASON_MIN, REASON_MAX = 5, 500
NOT_FOUND = _('No dossier matches this identity any more: make the lookup again.')
SAME_DISTRICT = _('This dossier is already in your district: ask your manager to '
                  'reassign it if need be.')
ALREADY_ASKED = _('You already asked for the transfer of this dossier; the référent '
                  'has not answered yet.')
GIVE_REASON = _('Give the reason for the transfer in a few words (5 to 500 characters).')
CONFIRM_TRANSFER = _('Tick the box to confirm the transfer of the dossier.')
GIVE_REFUSAL = _('Accept the transfer, or refuse it giving the reason.')
CANNOT_RECEIVE = _('The worker who asked can no longer receive the dossier (account '
                   'disabled, no longer a social worker, or in the same district).')


def _identity_of_post(request):
    """The identity the lookup was made with, as posted (or ``None``)."""
    values = {k: request.POST.get(k, '').strip() for k in IDENTITY_FIELDS}
    try:
        values['birth_date'] = datetime.date.fromisoformat(values['birth_date'])
    except ValueError:
        return None
    return values


def _level_one(request, dossier):
    return {'name': dossier.display_name, 'birth_date': dossier.birth_date,
            'district': district_name(request, dossier.district),
            'referent': user_name(request, dossier.referent)}


@view_config(context=Dossiers, name='request-transfer', request_method='POST',
             renderer='portail:templates/transfers/new.pt', permission=P.REQUEST_TRANSFER)
def request_transfer_view(request):
    """From the lookup's result: the reason asked, then the request sent.

    The dossier is named by its id and the identity of the lookup, which
    must still match it: an id alone finds nothing."""
    dossiers = request.context
    identity = current_identity(request)
    found = _identity_of_post(request)
    dossier = dossiers.get(request.POST.get('dossier', ''))
    page = {'error': None, 'reason': '', 'identity': found, 'dossier_id': None, 'person': None,
            'asked': None}
    if found is None or dossier is None or dossier not in dossiers.lookup(**found):
        request.response.status_int = 400
        return dict(page, error=NOT_FOUND)
    page.update(dossier_id=dossier.__name__, person=_level_one(request, dossier))
    page['identity'] = dict(found, birth_date=found['birth_date'].isoformat())
    if dossier.district == identity.user.district or dossier.referent == identity.uid:
        request.response.status_int = 400
        return dict(page, error=SAME_DISTRICT)
    asked = open_transfer(dossier, identity.uid)
    if asked is not None:
        request.response.status_int = 400
        return dict(page, error=ALREADY_ASKED, asked=request.resource_url(asked))
    if 'reason' not in request.POST:  # coming from the lookup: ask the reason
        return page
    reason = request.POST['reason'].strip()
    problem = text_problem(reason, REASON_MAX, multiline=True, min_length=REASON_MIN)
    if problem is not None:
        request.response.status_int = 400
        return dict(page, error=GIVE_REASON if len(reason) < REASON_MIN else problem,
                    reason=reason)
    now = utcnow(request.registry)
    transfer = TransferRequest(identity.uid, identity.user.district, reason, now)
    name = dossiers.add_transfer(dossier, transfer)
    record(request, dossier.__name__, f'transfer:{name}', 'transfer:requested', 1, reason)
    flash(request, _('Your transfer request is sent to the référent of the dossier. You '
                     'will see the answer on your home page.'))
    return HTTPSeeOther(request.resource_url(transfer))


def transfer_page(request, transfer, error=None):
    dossier = transfer.dossier
    return {
        'transfer': transfer, 'person': _level_one(request, dossier), 'error': error,
        'status': STATUSES[transfer.status],
        'requested_by': user_name(request, transfer.requested_by),
        'to_district': district_name(request, transfer.to_district),
        'from_district': district_name(request, transfer.from_district),
        'answered_by': user_name(request, transfer.answered_by) if transfer.answered_by
        else None,
        'serial': serial_of(transfer),
        'can_answer': transfer.status == OPEN
        and bool(request.has_permission(P.ANSWER_TRANSFER, transfer)),
        'dossier_url': request.resource_url(dossier)
        if request.has_permission(P.VIEW_DOSSIER, dossier) else None,
    }


@view_config(context=TransferRequest, name='', renderer='portail:templates/transfers/transfer.pt',
             permission=P.VIEW_TRANSFER, journal='read')
def transfer_view(request):
    return transfer_page(request, request.context)


def _receiver(request, transfer):
    """The requester's account, if they may still receive the dossier."""
    user = request.root.users.get(transfer.requested_by)
    if (user is None or user.disabled or WORKER not in granted_roles(user)
            or user.district is None or user.district == transfer.dossier.district):
        return None
    return user


@view_config(context=TransferRequest, name='answer', request_method='POST',
             renderer='portail:templates/transfers/transfer.pt',
             permission=P.ANSWER_TRANSFER, journal=False)
def answer_transfer_view(request):
    """Accept (confirmed by a tick: the dossier leaves the district) or refuse
    with the reason."""
    transfer = request.context
    check_serial(request, transfer)
    decision = request.POST.get('decision')
    answer = request.POST.get('answer', '').strip()
    error = text_problem(answer, REASON_MAX, multiline=True)
    receiver = _receiver(request, transfer)
    if error is None and transfer.status != OPEN:
        error = _('This request was already answered.')
    elif error is None and decision == ACCEPTED:
        if request.POST.get('confirm') != 'yes':
            error = CONFIRM_TRANSFER
        elif receiver is None:
            error = CANNOT_RECEIVE
    elif error is None and not (decision == REFUSED and len(answer) >= REASON_MIN):
        error = GIVE_REFUSAL
    if error is not None:
        request.response.status_int = 400
        journal_read(request, transfer)
        return transfer_page(request, transfer, error)
    if decision == ACCEPTED:
        transfer.to_district = receiver.district
        accept(request, transfer)
        flash(request, _('The dossier is transferred to ${name}; you no longer have access '
                         'to it.', mapping={'name': receiver.fullname}))
        return HTTPSeeOther(request.resource_url(request.root))
    refuse(request, transfer, answer)
    flash(request, _('The refusal is recorded; the worker who asked can read it.'))
    return HTTPSeeOther(request.resource_url(transfer))
