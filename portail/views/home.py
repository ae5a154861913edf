"""Each role's home page (SPEC §9).

An administrator lands on the accounts; the other roles' home pages are
built by later issues (caseload, entry queue, contracts, worklist) and say
so meanwhile.
"""
from pyramid.httpexceptions import HTTPFound
from pyramid.view import view_config

from portail.acl import permissions as P
from portail.auth.sessions import current_identity
from portail.clock import utcnow
from portail.i18n import _
from portail.journal.record import READ, record_once
from portail.models.root import PortalRoot
from portail.urls import child_url_maker
from portail.workflow.contract import STATES

#: the home section of each role, in the order they are shown
ROLE_SECTIONS = {
    'manager': (_('My district'), _(
        'The anonymous statistics of your district are under "Statistics" in the menu.')),
    'dpo': (_('Data protection'), _(
        'The access journals, the rights requests and the anonymous statistics of the '
        'département are in the menu. Retention is run by the portail-retention command.')),
}

ROLE_LABELS = {
    'worker': _('social worker'),
    'secretary': _('secretary'),
    'beneficiary': _('beneficiary'),
    'cli': _('CLI facilitator'),
    'manager': _('district manager'),
    'admin': _('account administrator'),
    'dpo': _('data protection officer'),
}


@view_config(context=PortalRoot, name='', renderer='portail:templates/home.pt',
             permission=P.VIEW_HOME)
def home_view(request):
    identity = current_identity(request)
    roles = identity.user.roles
    if roles == ('admin',):
        return HTTPFound(request.resource_url(request.root.users))
    sections = [ROLE_SECTIONS[r] for r in ROLE_SECTIONS if r in roles]
    dossiers = request.root.dossiers
    return {
        'fullname': identity.user.fullname,
        'roles': [ROLE_LABELS[r] for r in roles],
        'sections': sections,
        'is_admin': 'admin' in roles,
        'caseload': caseload(request, dossiers, identity) if 'worker' in roles else None,
        'queue': entry_queue(request, dossiers, identity) if 'secretary' in roles else None,
        'own': own_contracts(request, dossiers, identity) if 'beneficiary' in roles else None,
        'cli': cli_worklist(request, identity) if 'cli' in roles else None,
        'own_dossier': own_dossier_url(request, dossiers, identity)
        if 'beneficiary' in roles else None,
        'can_lookup': request.has_permission(P.LOOKUP, dossiers),
    }


def caseload(request, dossiers, identity):
    """The worker's dossiers, read from the référent index (never a scan).

    A caseload has about 200 rows, so each row is built here as ready-made
    strings, and the template reads them by key: URLs and state labels are
    computed once per page, and Chameleon's attribute lookup (the ``a.b``
    of a template, several microseconds each) is kept out of the loop
    (measured by ``make bench``)."""
    rows = []
    now = utcnow(request.registry)
    url = child_url_maker(request, dossiers)
    translate = request.localizer.translate
    labels = {code: translate(label) for code, label in STATES.items()}
    for dossier in dossiers.of_referent(identity.uid) + dossiers.delegated_to(identity.uid, now):
        states = set()
        review = None
        for contract in dossier.contracts.values():
            states.add(contract.state)
            day = contract.review_date
            if day is not None and contract.state != 'closed' and (review is None or day < review):
                review = day
        rows.append({
            'sort': (dossier.last_name, dossier.first_names),
            'name': dossier.display_name,
            'url': url(dossier.__name__),
            'states': ', '.join(sorted(labels[s] for s in states)),
            'review': review.strftime('%d/%m/%Y') if review is not None else '',
        })
    rows.sort(key=lambda r: r['sort'])
    return rows


def entry_queue(request, dossiers, identity):
    """Signed contracts of the secretary's district, from the (district, state) index."""
    rows = []
    url = child_url_maker(request, dossiers)
    for contract in dossiers.contracts_in(identity.user.district, 'signed'):
        if request.has_permission(P.VIEW_CONTRACT, contract):
            dossier = contract.dossier
            rows.append({'contract': contract, 'dossier': dossier,
                         'url': url(dossier.__name__, 'contracts', contract.__name__),
                         'signed_at': contract.history[-1].at})
    rows.sort(key=lambda r: r['signed_at'])
    return rows


def own_contracts(request, dossiers, identity):
    """The beneficiary's contracts in every state, with history and consents."""
    from portail.views.contracts import contract_details

    dossier = dossiers.of_beneficiary(identity.uid)
    if dossier is None:
        return []
    record_once(request, dossier.__name__, 'home', READ, 2)
    contracts = sorted(dossier.contracts.values(), key=lambda c: c.created_at, reverse=True)
    return [contract_details(request, c) for c in contracts
            if request.has_permission(P.VIEW_CONTRACT, c)]


def cli_worklist(request, identity):
    """The summaries shared with the facilitator's CLI (their district's folder)."""
    from portail.views.cli import worklist

    folder = request.root.cli.get(identity.user.district)
    if folder is None or not request.has_permission(P.VIEW_CLI_WORKLIST, folder):
        return []
    return worklist(request, folder)


def own_dossier_url(request, dossiers, identity):
    dossier = dossiers.of_beneficiary(identity.uid)
    if dossier is None or not request.has_permission(P.VIEW_DOSSIER, dossier):
        return None
    return request.resource_url(dossier)
