"""A social worker's "À traiter": the pending work of their caseload and
delegations, by deadline, on the home page, with its count in the menu.

The rows come from the référents' pending-work index
(:mod:`portail.models.worklist`) and from the delegations index, never from
a scan of the caseload.  Each row links to the place where the work is done;
doing it (answering the request, entering the contract, reading the
opinion, moving the review date, renewing the contract) removes the row.

A qualified manager of a district (the one who may move its caseloads) has
an "À traiter" too: the transfer requests addressed to the district's
référents, which the manager may answer when a référent is away or leaving.
"""
from datetime import date, timedelta

from portail.acl import permissions as P
from portail.acl import roles as R
from portail.acl.roles import granted_roles
from portail.clock import utcnow
from portail.i18n import _
from portail.models import worklist
from portail.models.request import KINDS as REQUEST_KINDS
from portail.timefmt import format_date

#: what each kind of row asks, and the name of the link to where it is done
KIND_LABELS = {
    worklist.REQUEST: (_('Rights request to answer'), _('Answer the request')),
    worklist.ENTRY: (_('Signed contract to enter'), _('Enter')),
    worklist.OPINION: (_('New opinion of the CLI'), _('Read the opinion')),
    worklist.REVIEW: (_('Contract review'), _('Open the contract')),
    worklist.ENDING: (_('Contract ending'), _('Renew')),
    worklist.TRANSFER: (_('Transfer request to answer'), _('Answer the request')),
    worklist.CONTACT: (_('Contact details updated by the person'), _('Open the dossier')),
}
#: the kinds whose date is a deadline (the others say since when the work waits)
DEADLINES = frozenset({worklist.REQUEST, worklist.REVIEW, worklist.ENDING})
#: how long a delegation received, or about to end, shows in the list
DELEGATION_NOTICE = timedelta(days=7)


#: where a request keeps its pending items once read (the menu's count and
#: the home page's list both need them)
_ITEMS = '_portail_pending_items'
#: where a request keeps ``(uid, district)``: the district its account
#: manages (:func:`managed_district`)
_MANAGED = '_portail_managed_district'


def managed_district(request, identity):
    """The district whose transfer requests the account answers as its
    qualified manager (the holder of :data:`~portail.acl.permissions.MANAGE_CASELOADS`
    on it), or ``None``; asked once per request (the menu and the home page
    both need it)."""
    uid, found = request.__dict__.get(_MANAGED, (None, None))
    if uid != identity.uid:
        found = request.root.districts.get(identity.user.district or '')
        if found is not None and not request.has_permission(P.MANAGE_CASELOADS, found):
            found = None
        request.__dict__[_MANAGED] = (identity.uid, found)
    return found


def has_pending_work(request, identity):
    """Whether the account has an "À traiter": a social worker, or a
    qualified manager of a district."""
    return (R.WORKER in granted_roles(identity.user)
            or managed_district(request, identity) is not None)


def pending_items(request, identity):
    """``(due, kind, dossier id, item id)`` of the account's pending work
    today, read once per request."""
    found = request.__dict__.get(_ITEMS)
    if found is None:
        found = request.__dict__[_ITEMS] = _read_pending_items(request, identity)
    return found


def _read_pending_items(request, identity):
    dossiers = request.root.dossiers
    now = utcnow(request.registry)
    delegated = [d.__name__ for d in dossiers.delegated_to(identity.uid, now, absences=False)]
    found = worklist.pending(dossiers, identity.uid, now.date(), delegated)
    # an absent colleague's pending work: one range of the index each
    for colleague in dossiers.absences_covered(identity.uid, now):
        found.extend(worklist.pending(dossiers, colleague.uid, now.date()))
    district = managed_district(request, identity)
    if district is not None:
        found.extend(worklist.pending(dossiers, worklist.district_owner(district.__name__),
                                      now.date()))
    return sorted(set(found))


def pending_count(request, identity):
    """How many rows the account's "À traiter" holds (the menu's count)."""
    return (len(pending_items(request, identity)) + len(delegation_rows(request, identity))
            + len(transfer_rows(request, identity)))


def pending_work(request, identity, limit=None):
    """The rows of the account's "À traiter", by deadline; with ``limit``,
    the first ``limit`` of them only (the home page shows the most urgent,
    the "À traiter" page one page of them), so that a long backlog costs a
    page nothing: each row's dossier is opened, and its permission checked
    (once per dossier), only for the rows shown."""
    dossiers = request.root.dossiers
    today = utcnow(request.registry).date()
    rows = []
    allowed = {}
    for due, kind, dossier_id, item in pending_items(request, identity):
        # past the limit, only the rows of the same day as the last one (the
        # rows of a day are ordered by name, which the index does not know)
        if limit is not None and len(rows) >= limit and due != rows[-1]['sort'][0]:
            break
        if dossier_id not in allowed:
            dossier = dossiers.get(dossier_id)
            allowed[dossier_id] = dossier if dossier is not None and request.has_permission(
                P.VIEW_DOSSIER, dossier) else None
        dossier = allowed[dossier_id]
        if dossier is None:
            continue
        what, action = KIND_LABELS[kind]
        if kind == worklist.CONTACT:
            target = dossier
        else:
            container = {worklist.REQUEST: dossier.requests,
                         worklist.TRANSFER: dossier.transfers}.get(kind, dossier.contracts)
            target = container.get(item) if container is not None else None
        if target is None:
            continue
        url = request.resource_url(target)
        if kind == worklist.ENDING:
            url = request.resource_url(dossier, 'add-contract', query={'from': item})
        rows.append(row(today, due, what, dossier.display_name, action, url,
                        detail_of(kind, target), deadline=kind in DEADLINES))
    rows.extend(delegation_rows(request, identity))
    rows.extend(transfer_rows(request, identity))
    rows.sort(key=lambda r: r['sort'])
    return rows if limit is None else rows[:limit]


def row(today, due, what, name, action, url, detail=None, deadline=True):
    """One row; ``due`` is a deadline, or (``deadline`` false) the day the
    work began to wait."""
    due_day = _day(due)
    days = (due_day - today).days if due_day is not None else None
    if days is None:
        when = ''
    elif not deadline:
        when = _('since ${day}', mapping={'day': format_date(due_day)})
        days, due_day = None, None
    elif days < 0:
        when = _('overdue by ${n} days', mapping={'n': -days})
    elif days == 0:
        when = _('today')
    else:
        when = _('in ${n} days', mapping={'n': days})
    return {'sort': (due, name), 'what': what, 'name': name, 'detail': detail,
            'due': format_date(due_day), 'when': when, 'overdue': days is not None and days < 0,
            'action': action, 'url': url}


def detail_of(kind, target):
    if kind == worklist.REQUEST:
        return REQUEST_KINDS.get(target.kind)
    if kind in (worklist.TRANSFER, worklist.CONTACT):
        return None
    if target.start_date is None:
        return None
    return _('contract of ${start}', mapping={'start': format_date(target.start_date)})


def delegation_rows(request, identity):
    """Delegations this account received in the last days, or whose end is near."""
    dossiers = request.root.dossiers
    now = utcnow(request.registry)
    today = now.date()
    rows = []
    for colleague in dossiers.absences_covered(identity.uid, now):
        rows.append(row(today, colleague.absence.until.isoformat(),
                        _('Absence of ${name}: their dossiers are in your care',
                          mapping={'name': colleague.fullname}),
                        colleague.fullname, _('See my dossiers'),
                        request.resource_url(request.root, anchor='caseload-title')))
    for dossier in dossiers.delegated_to(identity.uid, now, absences=False):
        delegation = dossier.delegations[identity.uid]
        url = request.resource_url(dossier)
        if delegation.until is not None and delegation.until - today <= DELEGATION_NOTICE:
            rows.append(row(today, delegation.until.isoformat(), _('Delegation ending'),
                            dossier.display_name, _('Open the dossier'), url))
        elif now - delegation.granted_at <= DELEGATION_NOTICE:
            rows.append(row(today, delegation.granted_at.date().isoformat(),
                            _('Delegation received'), dossier.display_name,
                            _('Open the dossier'), url, deadline=False))
    return rows


def transfer_rows(request, identity):
    """The transfer requests this account sent (issue 16): those waiting for
    an answer, and those answered in the last days."""
    now = utcnow(request.registry)
    today = now.date()
    rows = []
    for transfer in request.root.dossiers.transfers_of(identity.uid):
        name = transfer.dossier.display_name
        url = request.resource_url(transfer)
        if transfer.status == 'open':
            rows.append(row(today, transfer.created_at.date().isoformat(),
                            _('Transfer requested, waiting for the answer'), name,
                            _('See the request'), url, deadline=False))
        elif now - transfer.answered_at <= DELEGATION_NOTICE:
            what = (_('Transfer accepted: you are the référent')
                    if transfer.status == 'accepted' else _('Transfer refused'))
            rows.append(row(today, transfer.answered_at.date().isoformat(), what, name,
                            _('See the request'), url, deadline=False))
    return rows


def _day(iso):
    try:
        return date.fromisoformat(iso)
    except (TypeError, ValueError):
        return None
