"""Rights requests (docs/domain.md, *Rights of the person*): the beneficiary writes one online, the
référent records one made on paper or in person; the référent answers within the legal
month; the DPO follows the list and the overdue ones, without their content."""
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from portail.acl import permissions as P
from portail.clock import utcnow
from portail.conflicts import check_serial, serial_of
from portail.flash import flash
from portail.i18n import _
from portail.journal.deriver import journal_read
from portail.journal.record import READ, record, record_once
from portail.models.dossier import Dossier
from portail.models.request import KINDS, STATUSES, RightsRequest
from portail.models.root import PortalRoot
from portail.validators import text_problem
from portail.views.labels import CHANNEL_LABELS, user_name

PAPER_CHANNELS = ('paper', 'in_person')


def request_rows(request, dossier, today):
    rows = []
    for rq in sorted(dossier.requests.values(), key=lambda r: r.created_at, reverse=True):
        rows.append({'rq': rq, 'url': request.resource_url(rq), 'kind': KINDS[rq.kind],
                     'status': STATUSES[rq.status], 'overdue': rq.overdue(today),
                     'channel': CHANNEL_LABELS[rq.channel]})
    return rows


@view_config(context=Dossier, name='rights', renderer='portail:templates/requests/list.pt',
             permission=P.VIEW_REQUESTS, journal=False)
def requests_view(request):
    """The dossier's requests; the form to write (online) or record (paper) one."""
    dossier = request.context
    now = utcnow(request.registry)
    recording = bool(request.has_permission(P.ANSWER_REQUEST, dossier))
    can_write = recording or bool(request.has_permission(P.MAKE_REQUEST, dossier))
    error = None
    if request.method == 'POST' and can_write:
        kind = request.POST.get('kind')
        text = request.POST.get('text', '').strip()
        channel = request.POST.get('channel') if recording else 'online'
        problem = text_problem(text, 1000, multiline=True)
        if kind not in KINDS or not text or len(text) > 1000:
            error = _('Choose the kind of request and write it (1000 characters at most).')
        elif problem is not None:
            error = problem
        elif recording and channel not in PAPER_CHANNELS:
            error = _('Say how the request was made: on paper or in person.')
        else:
            rq = RightsRequest(kind, text, channel, request.authenticated_userid, now)
            request.root.dossiers.add_request(dossier, rq)
            record(request, dossier.__name__, f'request:{rq.__name__}', f'request:{kind}', 2)
            flash(request, _('The request is recorded. The référent must answer by ${date}.',
                             mapping={'date': rq.deadline.strftime('%d/%m/%Y')}))
            return HTTPSeeOther(request.resource_url(dossier, 'rights'))
        request.response.status_int = 400
    record_once(request, dossier.__name__, 'requests', READ, 2)
    return {'dossier': dossier, 'rows': request_rows(request, dossier, now.date()),
            'kinds': KINDS, 'recording': recording, 'can_write': can_write, 'error': error,
            'channels': {c: CHANNEL_LABELS[c] for c in PAPER_CHANNELS}}


@view_config(context=RightsRequest, name='', renderer='portail:templates/requests/request.pt',
             permission=P.VIEW_REQUESTS, journal='read')
def request_view(request):
    rq = request.context
    dossier = rq.dossier
    return {'rq': rq, 'dossier': dossier, 'kind': KINDS[rq.kind], 'status': STATUSES[rq.status],
            'by': user_name(request, rq.created_by),
            'answered_by': user_name(request, rq.answered_by) if rq.answered_by else None,
            'channel': CHANNEL_LABELS[rq.channel], 'serial': serial_of(rq), 'error': None,
            'can_answer': request.has_permission(P.ANSWER_REQUEST, rq)}


@view_config(context=RightsRequest, name='answer', renderer='portail:templates/requests/request.pt',
             request_method='POST', permission=P.ANSWER_REQUEST, journal=False)
def answer_view(request):
    """Accept (the change being made) or refuse (with the reason); or lift a limitation."""
    rq = request.context
    dossier = rq.dossier
    check_serial(request, rq)
    now = utcnow(request.registry)
    decision = request.POST.get('decision')
    answer = request.POST.get('answer', '').strip()
    problem = text_problem(answer, 1000, multiline=True)
    if problem is not None:
        request.response.status_int = 400
        journal_read(request, rq)
        return dict(request_view(request), error=problem)
    if decision == 'lift' and rq.freezes:
        rq.lifted_at = now
    elif rq.status == 'open' and decision in ('accepted', 'refused') and (
            answer or decision == 'accepted'):
        rq.status, rq.answer = decision, answer
        rq.answered_at, rq.answered_by = now, request.authenticated_userid
    else:
        journal_read(request, rq)
        page = request_view(request)
        request.response.status_int = 400
        return dict(page, error=_('Accept the request, or refuse it giving the reason.'))
    rq.modified_at, rq.modified_by = now, request.authenticated_userid
    request.root.dossiers.refresh_worklist(dossier)
    record(request, dossier.__name__, f'request:{rq.__name__}', f'answer:{decision}', 2)
    flash(request, _('The answer is recorded; the beneficiary can read it.'))
    return HTTPSeeOther(request.resource_url(rq))


@view_config(context=PortalRoot, name='requests', renderer='portail:templates/requests/dpo.pt',
             permission=P.VIEW_ALL_REQUESTS)
def dpo_requests_view(request):
    """Every request by deadline: kind, dates, status, never the content."""
    today = utcnow(request.registry).date()
    only_overdue = request.GET.get('filter') == 'overdue'
    dossiers = request.root.dossiers
    rows = []
    for (_deadline, dossier_id, name) in dossiers.requests_index.keys():
        rq = dossiers[dossier_id].requests[name]
        if only_overdue and not rq.overdue(today):
            continue
        rows.append({'dossier': dossier_id, 'kind': KINDS[rq.kind],
                     'status': STATUSES[rq.status], 'rq': rq, 'overdue': rq.overdue(today)})
    return {'rows': rows, 'only_overdue': only_overdue}
