"""The beneficiary's home page, built for a phone (issue 17).  A helper
module: no view here (the view modules never import one another).

First what the person has to do ("À faire": a contract to sign, a consent
asked, an answer received), then who follows them (the référent's name,
the service and how to reach it) and the next review; then the contracts,
each in a section the person opens (``<details>``: no JavaScript), so that
the page stays within a few phone screens however long the history.
"""
from datetime import timedelta

from portail.acl import permissions as P
from portail.clock import utcnow
from portail.i18n import _
from portail.journal.record import READ, record_once
from portail.models import caseload
from portail.timefmt import format_date
from portail.views.contract_display import contract_details
from portail.views.labels import user_name

#: how long an answer to a request stays in "À faire" after it is given
ANSWER_NOTICE = timedelta(days=30)


def person_home(request, identity):
    """What the beneficiary's home shows, or ``None`` without a dossier."""
    dossiers = request.root.dossiers
    dossier = dossiers.of_beneficiary(identity.uid)
    if dossier is None:
        return None
    record_once(request, dossier.__name__, 'home', READ, 2)
    # the newest first: by start date (a draft without one by its creation)
    contracts = sorted(dossier.contracts.values(), reverse=True,
                       key=lambda c: (c.start_date or c.created_at.date(), c.created_at))
    details = [contract_details(request, c) for c in contracts
               if request.has_permission(P.VIEW_CONTRACT, c)]
    district = request.root.districts.get(dossier.district)
    summary = caseload.summary_of(dossiers, dossier.__name__)
    return {
        'to_do': to_do(request, dossier, details),
        'referent': user_name(request, dossier.referent),
        'service': district.name if district is not None else '',
        'service_address': district.address if district is not None else '',
        'service_phone': district.phone if district is not None else '',
        'next_review': format_date(summary.review) if summary is not None else '',
        'contracts': [dict(d, title=contract_title(d['contract'])) for d in details],
        'dossier_url': (request.resource_url(dossier)
                        if request.has_permission(P.VIEW_DOSSIER, dossier) else None),
    }


def contract_title(contract):
    """The contract as the person names it: by its start date."""
    day = contract.start_date or contract.created_at
    return _('Contract of ${start}', mapping={'start': format_date(day)})


def to_do(request, dossier, details):
    """``[(what, link label, url)]``: the person's part, most pressing first."""
    items = []
    for d in details:
        contract = d['contract']
        name = request.localizer.translate(contract_title(contract))
        if any(t.name == 'sign' for t in d['menu']):
            items.append((_('A contract is waiting for your signature: ${what}.',
                            mapping={'what': name}), _('Read and sign'),
                          request.resource_url(contract, 'transition', query={'name': 'sign'})))
        if (contract.state == 'signed' and contract.latest_consent('processing') is None
                and any(k == 'processing' for k, _d, _l in d['consent_actions'])):
            items.append((_('Your agreement is asked: may the contract be entered in the '
                            'computer system? ${what}.', mapping={'what': name}),
                          _('Give my answer'), d['url']))
    since = utcnow(request.registry) - ANSWER_NOTICE
    for rq in sorted(dossier.requests.values(), key=lambda r: r.created_at):
        if rq.status != 'open' and rq.answered_at is not None and rq.answered_at >= since:
            items.append((_('Your request of ${day} has an answer.',
                            mapping={'day': format_date(rq.created_at)}),
                          _('Read the answer'), request.resource_url(rq)))
    return items
