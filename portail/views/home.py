"""Each role's home page (docs/domain.md, *Interface*).

An administrator lands on the accounts; a worker sees their caseload, a
secretary the entry queue, a beneficiary their contracts, a CLI facilitator
the worklist.  The queue and the worklist grow with the district: they show
one page (:mod:`portail.paging`) read from an ordered index.
"""
from pyramid.httpexceptions import HTTPFound
from pyramid.view import view_config

from portail.acl import permissions as P
from portail.acl import roles as R
from portail.acl.roles import granted_roles
from portail.auth.sessions import current_identity
from portail.clock import utcnow
from portail.i18n import _
from portail.models import caseload as summaries
from portail.models.root import PortalRoot
from portail.paging import Listing, Page, page_number
from portail.urls import child_url_maker
from portail.views.entry_queue import READY_PAGE, WAITING_PAGE, entry_queues
from portail.views.labels import DIRECTOR, ROLE_LABELS
from portail.views.listings import WORKLIST_PAGER_LABEL, worklist
from portail.views.pending import (
    has_pending_work,
    managed_district,
    pending_count,
    pending_work,
)
from portail.views.person_home import person_home
from portail.workflow.contract import STATES

#: the home section of each role, in the order they are shown
ROLE_SECTIONS = {
    R.MANAGER: (_('My district'), _(
        'The anonymous statistics of your district are under "Statistics" in the menu.')),
    # a manager without a district directs the département
    DIRECTOR: (_('The département'), _(
        'The anonymous statistics of every district and of the whole département are under '
        '"Statistics" in the menu.')),
    R.DPO: (_('Data protection'), _(
        'The access journals, the rights requests and the anonymous statistics of the '
        'département are in the menu. Retention is run by the portail-retention command.')),
}

#: the query-string parameters of the paged listings of the home page
QUEUE_PAGE = READY_PAGE
WORKLIST_PAGE = 'cli_page'
#: what the navigation between the pages of the queues is called (aria-label)
QUEUE_PAGER_LABEL = _('Pages of the contracts to enter')
WAITING_PAGER_LABEL = _('Pages of the contracts waiting for a consent')


@view_config(context=PortalRoot, name='', renderer='portail:templates/home.pt',
             permission=P.VIEW_HOME)
def home_view(request):
    identity = current_identity(request)
    roles = granted_roles(identity.user)  # an administrator's file roles count for nothing
    if roles == (R.ADMIN,):
        return HTTPFound(request.resource_url(request.root.users))
    sections = [ROLE_SECTIONS[section_of(r, identity.user)] for r in ROLE_SECTIONS
                if r in roles]
    dossiers = request.root.dossiers
    return {
        'fullname': identity.user.fullname,
        'roles': [ROLE_LABELS[section_of(r, identity.user)] for r in roles],
        'sections': sections,
        'is_admin': R.ADMIN in roles,
        'caseloads_url': caseloads_url(request, identity) if R.MANAGER in roles else None,
        **pending_section(request, identity),
        **caseload_section(request, dossiers, identity, R.WORKER in roles),
        'queue': entry_queue(request, identity) if R.SECRETARY in roles else None,
        'person': person_home(request, identity) if R.BENEFICIARY in roles else None,
        'is_beneficiary': R.BENEFICIARY in roles,
        'cli': cli_worklist(request, identity) if R.CLI in roles else None,
        'can_lookup': request.has_permission(P.LOOKUP, dossiers),
        'queue_pager_label': QUEUE_PAGER_LABEL,
        'waiting_pager_label': WAITING_PAGER_LABEL,
        'cli_pager_label': WORKLIST_PAGER_LABEL,
    }


def caseloads_url(request, identity):
    """The manager's page of the district's dossiers by référent, if theirs to open."""
    district = managed_district(request, identity)
    return request.resource_url(district, 'caseloads') if district is not None else None


def section_of(role, user):
    """The home section of ``role`` for ``user``: a manager without a district
    is the département's director."""
    if role == R.MANAGER and user.district is None:
        return DIRECTOR
    return role


#: rows of "À traiter" on the home page (the most urgent; all of them on /pending)
HOME_PENDING = 15
#: rows of the caseload on the home page (all of them, searchable, on /dossiers/caseload)
HOME_CASELOAD = 50


def pending_section(request, identity):
    """The home page's "À traiter": its most urgent rows and how many there are."""
    if not has_pending_work(request, identity):
        return {'pending': None, 'pending_total': 0}
    return {'pending': pending_work(request, identity, limit=HOME_PENDING),
            'pending_total': pending_count(request, identity)}


def caseload_section(request, dossiers, identity, is_worker):
    """The first rows of the worker's caseload, by name, and its size."""
    if not is_worker:
        return {'caseload': None, 'caseload_total': 0}
    rows = caseload(request, dossiers, identity)
    return {'caseload': rows[:HOME_CASELOAD], 'caseload_total': len(rows)}


def caseload(request, dossiers, identity):
    """The worker's dossiers and those delegated to them, by name: one row
    per dossier read from its summary kept on write
    (:mod:`portail.models.caseload`), never a scan and never a contract.

    A caseload has about 200 rows, so each row is built here as ready-made
    strings, and the template reads them by key: URLs and state labels are
    computed once per page, and Chameleon's attribute lookup (the ``a.b``
    of a template, several microseconds each) is kept out of the loop
    (measured by ``make bench``).  Searching, filtering and paging it is
    the caseload page's (``/dossiers/caseload``)."""
    rows = []
    url = child_url_maker(request, dossiers)
    translate = request.localizer.translate
    labels = {code: translate(label) for code, label in STATES.items()}
    for name, summary, _mark in summaries.entries(dossiers, identity.uid,
                                                  utcnow(request.registry)):
        rows.append({
            'sort': (summary.key, name),
            'name': summary.name,
            'url': url(name),
            'state': labels.get(summary.state, ''),
            'review': summary.review.strftime('%d/%m/%Y') if summary.review else '',
        })
    rows.sort(key=lambda r: r['sort'])
    return rows


def home_page_url(request, param, anchor):
    """Return ``url(number)``: the home page showing page ``number`` of the
    listing paged by ``param`` (and the same page of the other listing)."""
    others = {p: page_number(request.GET[p]) for p in (QUEUE_PAGE, WAITING_PAGE, WORKLIST_PAGE)
              if p != param and p in request.GET}

    def url(number):
        query = {p: n for p, n in dict(others, **{param: number}).items() if n > 1}
        return request.resource_url(request.root, query=sorted(query.items()), anchor=anchor)

    return url


def entry_queue(request, identity):
    """The secretary's two lists of signed contracts (:mod:`.entry_queue`)."""
    return entry_queues(request, identity,
                        lambda param, number, anchor: home_page_url(request, param, anchor)(number))


def cli_worklist(request, identity):
    """One page of the summaries shared with the facilitator's CLI (their
    district's folder), newest share first."""
    district = identity.user.district
    folder = request.root.cli.get(district) if district else None
    if folder is None or not request.has_permission(P.VIEW_CLI_WORKLIST, folder):
        return Listing([], Page(1, 0))
    return worklist(request, folder, WORKLIST_PAGE,
                    home_page_url(request, WORKLIST_PAGE, 'cli-title'))
