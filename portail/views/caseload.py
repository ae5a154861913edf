"""The worker's caseload page: search, filters, sort, 50 rows a page (issue 16).

``/dossiers/caseload`` lists the dossiers the worker follows, and those
delegated to them (one by one, or while they cover a colleague's absence),
marked as such.  Each row is one :class:`~portail.models.caseload.Summary`
kept on write: the worker's rows are one key range of the référent → name
index, a name prefix a narrower range of it, and the filters and the sort
run over those rows only; no contract is opened
(:mod:`portail.models.caseload`, which also says why hypatia was not
chosen).

The search form is sent by POST: the name typed is personal data and must
not reach a URL (docs/domain.md, *No personal data in URLs, logs or
transaction notes*).  It only reads, so it carries no one-time form key
(``form_key=False``, :mod:`portail.formkeys`).  The previous and next pages
are buttons of the same form, so they keep the query; a plain GET shows the
whole caseload by name, ``?page=N`` (a number only) choosing the page.

Every value sent is checked: a name longer than :data:`MAX_NAME` characters,
an unknown state, an unknown sort or a page that is not a number is brought
back to a valid value, with a message when the user typed or chose it.

Reading the caseload is not journaled, as on the home page: the rows show
the name and birth date of the worker's own dossiers (level 1), and opening
one is journaled by the dossier page.
"""
from pyramid.view import view_config

from portail.acl import permissions as P
from portail.auth.sessions import current_identity
from portail.clock import utcnow
from portail.i18n import _
from portail.models import caseload
from portail.models.dossier import Dossiers, normalise_name
from portail.paging import PAGE_SIZE, Page, page_number
from portail.timefmt import format_date
from portail.urls import child_url_maker
from portail.workflow.contract import STATES

#: the longest name searched for (the identity form allows 80 characters)
MAX_NAME = 80
#: the state filter's value for the dossiers without any contract
NO_CONTRACT = 'none'
#: sort orders: by name, by next review date (the earliest first)
SORTS = {'name': _('Name'), 'review': _('Next review date')}
#: what the navigation between the pages is called (aria-label)
PAGER_LABEL = _('Pages of the caseload')
#: how a delegated row is marked
MARKS = {caseload.DELEGATION: _('delegated to you'),
         caseload.ABSENCE: _('absence of a colleague')}


def read_query(request):
    """``(query, messages)``: the search, filters, sort and page asked for,
    each brought back to a valid value, and the French messages saying
    what was brought back."""
    params = request.POST if request.method == 'POST' else request.GET
    messages = []
    name = params.get('name', '')
    name = name if isinstance(name, str) else ''
    if len(name) > MAX_NAME:
        messages.append(_('The name typed is too long (${n} characters at most): it was not '
                          'used for the search.', mapping={'n': MAX_NAME}))
        name = ''
    state = params.get('state', '')
    if state not in STATES and state not in ('', NO_CONTRACT):
        messages.append(_('This contract state does not exist: every state is shown.'))
        state = ''
    sort = params.get('sort', 'name')
    if sort not in SORTS:
        messages.append(_('This sort order does not exist: the dossiers are sorted by name.'))
        sort = 'name'
    raw_page = params.get('page', '')
    if raw_page and not (isinstance(raw_page, str) and raw_page.strip().isascii()
                         and raw_page.strip().isdigit()):
        messages.append(_('The page asked for is not a number: the first page is shown.'))
    query = {'name': name.strip(), 'state': state, 'overdue': params.get('overdue') == '1',
             'sort': sort, 'page': page_number(raw_page)}
    return query, messages


def select(entries, query, today):
    """The entries kept by the filters of ``query``, in its order."""
    state, overdue = query['state'], query['overdue']
    kept = []
    for entry in entries:
        summary = entry[1]
        if state and (summary.state or NO_CONTRACT) != state:
            continue
        if overdue and (summary.review is None or summary.review >= today):
            continue
        kept.append(entry)
    if query['sort'] == 'review':
        kept.sort(key=lambda e: (e[1].review is None, e[1].review or today, e[1].key, e[0]))
    else:
        kept.sort(key=lambda e: (e[1].key, e[0]))
    return kept


@view_config(context=Dossiers, name='caseload', renderer='portail:templates/dossiers/caseload.pt',
             permission=P.VIEW_CASELOAD, request_method=('GET', 'POST'), form_key=False)
def caseload_view(request):
    dossiers = request.context
    identity = current_identity(request)
    now = utcnow(request.registry)
    today = now.date()
    query, messages = read_query(request)
    prefix = normalise_name(query['name'])
    kept = select(caseload.entries(dossiers, identity.uid, now, prefix), query, today)
    last = Page(1, len(kept)).pages
    page = Page(min(max(query['page'], 1), last), len(kept))
    url = child_url_maker(request, dossiers)
    translate = request.localizer.translate
    labels = {code: translate(label) for code, label in STATES.items()}
    labels[None] = translate(_('no contract'))
    rows = []
    for name, summary, mark in kept[page.start:page.start + PAGE_SIZE]:
        rows.append({
            'name': summary.name,
            'url': url(name),
            'birth_date': format_date(summary.birth_date) if summary.birth_date else '',
            'state': labels.get(summary.state, summary.state),
            'review': format_date(summary.review) if summary.review else '',
            'overdue': summary.review is not None and summary.review < today,
            'end': format_date(summary.end) if summary.end else '',
            'mark': translate(MARKS[mark]) if mark else '',
        })
    return {
        'query': query,
        'messages': messages,
        'rows': rows,
        'page': page,
        'searched': request.method == 'POST',
        'states': [('', translate(_('Every state')))]
        + [(code, labels[code]) for code in STATES] + [(NO_CONTRACT, labels[None])],
        'sorts': [(code, translate(label)) for code, label in SORTS.items()],
        'pager_label': PAGER_LABEL,
        'page_size': PAGE_SIZE,
    }
