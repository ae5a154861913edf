"""The secretary's entry queue on the home page (issue 16).

Two lists of the district's signed contracts, each read one page at a time
from its own ordered index (:class:`portail.models.dossier.Dossiers`):

- the contracts that can be entered (the person's consent to the processing
  given), oldest signature first;
- those waiting for that consent, with the référent's name, so that the
  secretary knows whom to ask.

A filter by référent reads that référent's signed contracts from the
pending-work index (:mod:`portail.models.worklist`), never the whole queue.
When the département has switched secretaries' entry off
(``portail.secretaries_enter_contracts``), the first list says so: the
social workers enter the contracts, the secretary follows them.

The permission to read each contract is still decided by the security
policy for the rows shown (at most a page), so that a change of the access
matrix can never show a name the secretary may not read; it is asked once
per (district, state) of the page when it cannot differ from row to row,
else once per row (:mod:`portail.acl.rowcheck` says why and when).
"""
from portail.acl import permissions as P
from portail.acl.roles import WORKER
from portail.acl.rowcheck import RowPermissions
from portail.clock import utcnow
from portail.models import worklist
from portail.models.dossier import signed_at
from portail.paging import Page, listing, requested_page
from portail.urls import child_url_maker
from portail.views.labels import user_name

#: the parameters of the pages of the two lists, and of the filter
READY_PAGE = 'queue_page'
WAITING_PAGE = 'waiting_page'
REFERENT = 'referent'


def entry_queues(request, identity, page_url):
    """What the secretary's home shows; ``page_url(param, number, anchor)``
    is the home page showing page ``number`` of the list paged by ``param``."""
    dossiers = request.root.dossiers
    district = identity.user.district
    workers = sorted(((u.uid, u.fullname) for u in request.root.users.with_role(district, WORKER)),
                     key=lambda w: w[1]) if district else []
    chosen = request.GET.get(REFERENT)
    if chosen not in dict(workers):
        chosen = None
    if chosen is None:
        ready = _paged(request, READY_PAGE, dossiers.signed_count(district) if district else 0,
                       lambda page: dossiers.signed_page(district, page.start, page.size),
                       page_url, 'queue-title')
        waiting = _paged(request, WAITING_PAGE,
                         dossiers.waiting_count(district) if district else 0,
                         lambda page: dossiers.waiting_page(district, page.start, page.size),
                         page_url, 'waiting-title')
    else:
        ready, waiting = _of_referent(request, chosen)
    return {
        'ready': ready, 'waiting': waiting, 'referents': workers, 'referent': chosen,
        'entry_enabled': request.registry.settings['portail.secretaries_enter_contracts'],
    }


#: what the queue asks of each contract it lists
ROW_PERMISSIONS = (P.VIEW_CONTRACT,)


def _rows(request, signed):
    url = child_url_maker(request, request.root.dossiers)
    can = RowPermissions(request, ROW_PERMISSIONS)
    rows = []
    for when, contract in signed:
        if can.allows(P.VIEW_CONTRACT, contract):
            dossier = contract.dossier
            rows.append({'contract': contract, 'dossier': dossier,
                         'url': url(dossier.__name__, 'contracts', contract.__name__),
                         'signed_at': when,
                         'referent': user_name(request, dossier.referent)})
    return rows


def _paged(request, param, count, read, page_url, anchor):
    page = requested_page(request, param, count)
    return listing(_rows(request, read(page)), page,
                   lambda number: page_url(param, number, anchor))


def _of_referent(request, uid):
    """Both lists, for the signed contracts of référent ``uid`` only."""
    dossiers = request.root.dossiers
    today = utcnow(request.registry).date()
    found = {True: [], False: []}
    for _due, kind, dossier_id, item in worklist.pending(dossiers, uid, today):
        if kind != worklist.ENTRY:
            continue
        contract = dossiers[dossier_id].contracts.get(item)
        if contract is None or contract.state != 'signed' or contract.queue_key is None:
            continue
        found[contract.queue_ready].append((signed_at(contract), contract))
    lists = []
    for ready in (True, False):
        signed = sorted(found[ready], key=lambda pair: pair[0])
        rows = _rows(request, signed)
        lists.append(listing(rows, Page(1, len(rows), max(len(rows), 1)), None))
    return lists

