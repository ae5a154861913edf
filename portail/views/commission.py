"""The CLI's commission sessions (issue 16): a facilitator creates a session
for a date, puts shared summaries on its agenda, gives the CLI's opinions on
several summaries on one page, and prints the session's minutes.

Only the district's facilitators reach them (``cli_session`` of the access
matrix).  A session names its summaries; each page reads them against the
district's folder, so a summary withdrawn since is simply not there.  Every
page that shows summaries journals a read of each, in its person's chain.
"""
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from portail.acl import permissions as P
from portail.clock import utcnow
from portail.flash import flash
from portail.i18n import _
from portail.journal.deriver import journal_read
from portail.journal.record import record
from portail.models.commission import CommissionSession, CommissionSessions
from portail.validators import around_today, parse_date, text_problem
from portail.views.contract_display import shown_fields
from portail.views.labels import OPINION_LABELS, district_name, user_name
from portail.views.listings import summary_row
from portail.workflow.contract import CONTRACT_WORKFLOW
from portail.workflow.engine import WorkflowError

#: how many summaries without a session the agenda page offers at most
CANDIDATES = 100
#: a session's date lies within this many years of today
SESSION_YEARS = 2


def _day(value):
    return value.strftime('%d/%m/%Y')


@view_config(context=CommissionSessions, name='', renderer='portail:templates/cli/sessions.pt',
             request_method='GET', permission=P.VIEW_CLI_WORKLIST)
def sessions_view(request, error=None):
    folder = request.context
    rows = [{'session': s, 'url': request.resource_url(s), 'date': _day(s.date),
             'count': len(s.agenda())} for s in folder.newest_first()]
    return {'rows': rows, 'error': error, 'date': request.POST.get('date', ''),
            'worklist_url': request.resource_url(folder.__parent__),
            'district': district_name(request, folder.__parent__.__name__)}


@view_config(context=CommissionSessions, name='', renderer='portail:templates/cli/sessions.pt',
             request_method='POST', permission=P.MANAGE_CLI_SESSIONS)
def create_session_view(request):
    """Create a session for the date given; its agenda is set on its page."""
    allowed = around_today(request, before=SESSION_YEARS, after=SESSION_YEARS)
    day = parse_date(request.POST.get('date', ''), allowed)
    if not day:
        request.response.status_int = 400
        error = _('Give the date of the session.') if day is None else allowed.message()
        return sessions_view(request, error)
    district = request.context.__parent__
    folder = district.session_folder(create=True)
    session = CommissionSession(day, request.authenticated_userid, utcnow(request.registry))
    folder.add(session)
    flash(request, _('The session of ${date} is created: put summaries on its agenda.',
                     mapping={'date': _day(day)}))
    return HTTPSeeOther(request.resource_url(session))


def agenda_rows(request, session):
    """The rows of the summaries on the agenda; each is a read of the summary."""
    district = session.district
    rows = []
    for summary in session.agenda():
        journal_read(request, summary)
        rows.append(summary_row(request, summary, request.resource_url(district, summary.__name__)))
    return rows


@view_config(context=CommissionSession, name='', renderer='portail:templates/cli/session.pt',
             request_method='GET', permission=P.VIEW_CLI_WORKLIST)
def session_view(request, error=None):
    """The session's agenda, and the summaries that may go on it."""
    session = request.context
    district = session.district
    candidates = [summary_row(request, s, request.resource_url(district, s.__name__))
                  for s in district.without_session(CANDIDATES)]
    for row in candidates:
        if row['themes'] is not None:
            journal_read(request, row['summary'])
    return {'session': session, 'date': _day(session.date),
            'rows': agenda_rows(request, session), 'candidates': candidates,
            'error': error, 'created_by': user_name(request, session.created_by),
            'sessions_url': request.resource_url(session.__parent__),
            'can_manage': request.has_permission(P.MANAGE_CLI_SESSIONS, session)}


def _chosen_summaries(request, session):
    """The summaries named in the POST's ``summary`` fields, or the message of
    what is wrong with them."""
    district = session.district
    names = request.POST.getall('summary')
    if not names:
        return None, _('Tick at least one summary.')
    if len(set(names)) != len(names) or len(names) > CANDIDATES:
        return None, _('This list of summaries is not valid: show the page again.')
    chosen = []
    for name in names:
        summary = district.get(name) if isinstance(name, str) else None
        if summary is None:
            return None, _('One of these summaries is no longer shared with the CLI.')
        if summary.session is not None:
            return None, _('One of these summaries is already on the agenda of a session.')
        chosen.append(summary)
    return chosen, None


@view_config(context=CommissionSession, name='assign', renderer='portail:templates/cli/session.pt',
             request_method='POST', permission=P.MANAGE_CLI_SESSIONS)
def assign_view(request):
    """Put the ticked summaries on the session's agenda."""
    session = request.context
    chosen, error = _chosen_summaries(request, session)
    if error is not None:
        request.response.status_int = 400
        return session_view(request, error)
    session.assign(chosen)
    flash(request, _('Summaries put on the agenda: ${count}.', mapping={'count': len(chosen)}))
    return HTTPSeeOther(request.resource_url(session))


@view_config(context=CommissionSession, name='unassign',
             renderer='portail:templates/cli/session.pt', request_method='POST',
             permission=P.MANAGE_CLI_SESSIONS)
def unassign_view(request):
    """Take one summary off the agenda (it may go on another session)."""
    session = request.context
    name = request.POST.get('summary', '')
    summary = session.district.get(name) if name in session.names else None
    if summary is None:
        request.response.status_int = 400
        return session_view(request, _('This summary is not on the agenda.'))
    session.unassign(summary)
    flash(request, _('The summary is taken off the agenda.'))
    return HTTPSeeOther(request.resource_url(session))


def opinion_rows(request, session, posted=None):
    """For each summary on the agenda: its fields, its current opinion, and
    what was posted for it (shown again with an error)."""
    posted = posted or {}
    rows = []
    for summary in session.agenda():
        journal_read(request, summary)
        current = summary.opinion or {}
        rows.append({'summary': summary, 'fields': shown_fields(request, summary),
                     'opinion': OPINION_LABELS.get(current.get('opinion')),
                     'comment': current.get('comment', ''),
                     'chosen': posted.get(summary.__name__, ('', ''))[0],
                     'typed': posted.get(summary.__name__, ('', ''))[1],
                     'error': None})
    return rows


@view_config(context=CommissionSession, name='opinions',
             renderer='portail:templates/cli/opinions.pt', request_method='GET',
             permission=P.CLI_OPINION)
def opinions_view(request, rows=None, error=None):
    session = request.context
    return {'session': session, 'date': _day(session.date), 'opinions': OPINION_LABELS,
            'rows': rows if rows is not None else opinion_rows(request, session),
            'error': error}


@view_config(context=CommissionSession, name='opinions',
             renderer='portail:templates/cli/opinions.pt', request_method='POST',
             permission=P.CLI_OPINION)
def record_opinions_view(request):
    """Record the CLI's opinion on each summary of the agenda given one.

    Each runs the contract's ``cli_opinion`` transition, as the summary's own
    page does, and is journaled alike.  Every line is checked before any is
    recorded: one wrong line records nothing, and the page comes back with
    what was typed."""
    session = request.context
    posted = {}
    for summary in session.agenda():
        name = summary.__name__
        posted[name] = (request.POST.get(f'opinion-{name}', ''),
                        request.POST.get(f'comment-{name}', '').strip())
    rows = opinion_rows(request, session, posted)
    given = [row for row in rows if row['chosen']]
    for row in rows:
        if row['chosen'] and row['chosen'] not in OPINION_LABELS:
            row['error'] = _('Choose the opinion of the CLI.')
        elif row['typed'] and not row['chosen']:
            row['error'] = _('Choose the opinion of the CLI.')
        else:
            row['error'] = text_problem(row['typed'], 300, multiline=True)
    contracts = {}
    for row in given:
        if row['error'] is None:
            summary = row['summary']
            contract = request.root.dossiers.contract(summary.contract_ref)
            try:
                CONTRACT_WORKFLOW.check(contract, request, 'cli_opinion', opinion=row['chosen'])
            except WorkflowError as problem:
                row['error'] = problem.message
            contracts[summary.__name__] = contract
    if not given or any(row['error'] for row in rows):
        request.response.status_int = 400
        error = (_('Give at least one opinion.') if not given
                 else _('Nothing is recorded: correct the lines marked below.'))
        return opinions_view(request, rows, error)
    for row in given:
        summary = row['summary']
        contract = contracts[summary.__name__]
        CONTRACT_WORKFLOW.execute(contract, request, 'cli_opinion', opinion=row['chosen'],
                                  opinion_comment=row['typed'], comment=row['typed'])
        session.district.record_opinion(summary, contract.cli_opinion)
        summary.modified_by = request.authenticated_userid
        summary.modified_at = contract.modified_at
        record(request, summary.contract_ref[0], f'cli-summary:{summary.__name__}',
               'opinion', 2)
    flash(request, _('Opinions of the CLI recorded: ${count}.', mapping={'count': len(given)}))
    return HTTPSeeOther(request.resource_url(session))


@view_config(context=CommissionSession, name='minutes',
             renderer='portail:templates/cli/minutes.pt', request_method='GET',
             permission=P.VIEW_CLI_WORKLIST)
def minutes_view(request):
    """The minutes of the session, to print: each summary as shared (the name
    only if the référent shared it) and the opinion of the CLI."""
    session = request.context
    rows = []
    for summary in session.agenda():
        journal_read(request, summary)
        current = summary.opinion or {}
        rows.append({'summary': summary, 'fields': shown_fields(request, summary),
                     'opinion': OPINION_LABELS.get(current.get('opinion')),
                     'comment': current.get('comment', '')})
    return {'session': session, 'date': _day(session.date), 'rows': rows,
            'district': district_name(request, session.district.__name__),
            'session_url': request.resource_url(session)}
