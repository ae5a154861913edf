"""The CLI facilitator's workspace (docs/domain.md, *Workflow* and *CLI and statistics*): the
summaries shared with their district's CLI, each with the CLI's opinion form.  The facilitator
reads only these copies, never a dossier."""
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from portail.acl import permissions as P
from portail.conflicts import check_serial, serial_of
from portail.flash import flash
from portail.i18n import _
from portail.journal.deriver import journal_read
from portail.journal.record import record
from portail.models.cli import CliDistrict, CliSummary
from portail.validators import text_problem
from portail.views.contract_display import shown_fields
from portail.views.labels import OPINION_LABELS
from portail.views.listings import WORKLIST_PAGER_LABEL, worklist
from portail.workflow.contract import CONTRACT_WORKFLOW
from portail.workflow.engine import WorkflowError

#: the query-string parameter of the worklist page
PAGE = 'page'
#: the query-string parameter of the worklist's filter, and its one value:
#: the summaries without an opinion of the CLI ("sans avis")
FILTER, WITHOUT_OPINION = 'filter', 'without-opinion'


@view_config(context=CliDistrict, name='', renderer='portail:templates/cli/worklist.pt',
             permission=P.VIEW_CLI_WORKLIST)
def worklist_view(request):
    """The district's summaries, newest share first, with their themes (when
    shared); all of them, or those without an opinion of the CLI."""
    folder = request.context
    district = request.root.districts.get(folder.__name__)
    filtered = request.GET.get(FILTER) == WITHOUT_OPINION
    base = {FILTER: WITHOUT_OPINION} if filtered else {}

    def page_url(number):
        return request.resource_url(folder, query=dict(base, **({PAGE: number}
                                                               if number > 1 else {})))

    listing = worklist(request, folder, PAGE, page_url, without_opinion=filtered)
    for row in listing.rows:
        if row['themes'] is not None:  # a shared field is shown: a read of the summary
            journal_read(request, row['summary'])
    return {'worklist': listing, 'filtered': filtered,
            'all_url': request.resource_url(folder),
            'filtered_url': request.resource_url(folder, query={FILTER: WITHOUT_OPINION}),
            'sessions_url': request.resource_url(folder, folder.SESSIONS, ''),
            'district': district.name if district else '',
            'pager_label': WORKLIST_PAGER_LABEL}


@view_config(context=CliSummary, name='', renderer='portail:templates/cli/summary.pt',
             permission=P.VIEW_CLI_WORKLIST, journal='read')
def summary_view(request):
    summary = request.context
    return {'summary': summary, 'fields': shown_fields(request, summary),
            'opinions': OPINION_LABELS, 'serial': serial_of(summary),
            'opinion': OPINION_LABELS.get((summary.opinion or {}).get('opinion')),
            'error': None}


@view_config(context=CliSummary, name='opinion', renderer='portail:templates/cli/summary.pt',
             request_method='POST', permission=P.CLI_OPINION, journal=False)
def opinion_view(request):
    """Record the CLI's opinion on the contract behind the summary."""
    summary = request.context
    check_serial(request, summary)
    opinion = request.POST.get('opinion')
    comment = request.POST.get('comment', '').strip()
    problem = text_problem(comment, 300, multiline=True)
    if problem is not None:
        request.response.status_int = 400
        journal_read(request, summary)
        return dict(summary_view(request), error=problem)
    contract = request.root.dossiers.contract(summary.contract_ref)
    try:
        CONTRACT_WORKFLOW.execute(contract, request, 'cli_opinion', opinion=opinion,
                                  opinion_comment=comment, comment=comment)
    except WorkflowError as error:
        request.response.status_int = 400
        journal_read(request, summary)
        return dict(summary_view(request), error=error.message)
    summary.__parent__.record_opinion(summary, contract.cli_opinion)
    summary.modified_by = request.authenticated_userid
    summary.modified_at = contract.modified_at
    record(request, summary.contract_ref[0], f'cli-summary:{summary.__name__}', 'opinion', 2)
    flash(request, _('The opinion of the CLI is recorded.'))
    return HTTPSeeOther(request.resource_url(summary))
