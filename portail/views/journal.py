"""Reading the access journal: the beneficiary's "who consulted my dossier",
and the DPO's view of every journal with filters
(docs/domain.md, *Rights of the person* and *Access journal*)."""
import datetime
from itertools import islice

from pyramid.view import view_config

from portail.acl import permissions as P
from portail.i18n import _
from portail.journal.activity import local_day
from portail.journal.record import journal_of
from portail.models.dossier import Dossier
from portail.models.root import PortalRoot
from portail.validators import parse_date
from portail.views.listings import entry_rows

#: entries shown on "who consulted my dossier" (the copy of the dossier holds them all)
DOSSIER_PAGE = 500


#: the query-string parameter by which the reader hides their own reads
HIDE_OWN_READS = 'hide_own_reads'


@view_config(context=Dossier, name='journal', renderer='portail:templates/journal/dossier.pt',
             permission=P.VIEW_DOSSIER_JOURNAL, journal=False)
def dossier_journal_view(request):
    """"Who consulted my dossier": the newest entries of the dossier's chain,
    each item named as the person knows it; the reader may hide their own
    reads (``?hide_own_reads=1``, a GET form: nothing changes)."""
    dossier = request.context
    hide = request.GET.get(HIDE_OWN_READS) == '1'
    page = {'rows': [], 'count': 0, 'hide_own_reads': hide, 'hidden': 0}
    chain = journal_of(request).chains.get(dossier.__name__)
    if chain is None:
        return page
    # only the entries shown are decoded; the count of the entries held (purged ones
    # excluded) comes from the chain's numbering
    entries = chain.values(reverse=True)
    if hide:
        own = request.authenticated_userid
        entries = (e for e in entries if not (e.user == own and e.action == 'read'))
    newest = list(islice(entries, DOSSIER_PAGE))
    return dict(page, rows=entry_rows(request, newest, dossier),
                count=chain.length - chain.base_seq)


PAGE = 200


@view_config(context=PortalRoot, name='journal', renderer='portail:templates/journal/dpo.pt',
             permission=P.VIEW_ALL_JOURNALS, form_key=False)
def dpo_journal_view(request):
    """Filter by account login, dossier id (whole, or its first characters as
    the DPO's lists show them) and local dates (a POST form, so no login
    appears in a URL); without a filter, nothing is listed."""
    journal = journal_of(request)
    params = request.POST if request.method == 'POST' else {}  # no login in URLs
    login = params.get('user', '').strip()
    dossier = params.get('dossier', '').strip()
    start = _date(params.get('from'))
    end = _date(params.get('to'))
    error = None
    keys = None
    uid = None
    if login:
        user = request.root.users.find_login(login)
        uid = user.uid if user is not None else None
        keys = set(journal.by_user.get(uid, ())) if uid else set()
        if uid is None:
            error = _('No account has this login.')
    if dossier:
        found = dossier_chains(journal, dossier)
        keys = found if keys is None else keys & found
    if keys is None and (start or end):
        # the index is by UTC day; a local day begins on the UTC day before
        keys = set()
        for _day, bucket in journal.by_day.items(
                min=(start - datetime.timedelta(days=1)).isoformat() if start else None,
                max=end.isoformat() if end else None):
            keys.update(bucket)
    entries = []
    for key in sorted(keys or ()):
        chain = journal.chains.get(key)
        if chain is None:
            continue
        for entry in chain.values():
            if uid and entry.user != uid:
                continue
            day = local_day(datetime.datetime.fromisoformat(entry.at))
            if (start and day < start) or (end and day > end):
                continue
            entries.append(entry)
    entries.sort(key=lambda e: e.at, reverse=True)
    return {'rows': entry_rows(request, entries[:PAGE]), 'count': len(entries),
            'filtered': keys is not None, 'error': error,
            'values': {'user': login, 'dossier': dossier,
                       'from': start.isoformat() if start else '',
                       'to': end.isoformat() if end else ''}}


#: the shortest start of a dossier id the filter accepts (the DPO's list of
#: rights requests shows the first 8 characters)
SHORT_ID = 6
#: the most chains a short id may stand for
SHORT_ID_MATCHES = 20


def dossier_chains(journal, text):
    """The chain keys of the dossier id ``text``, or of the dossiers whose id
    starts with it (at least :data:`SHORT_ID` characters; a range of the
    chains' tree, at most :data:`SHORT_ID_MATCHES` chains)."""
    text = text.lower()
    if text in journal.chains:
        return {text}
    if len(text) < SHORT_ID or text.startswith('~'):
        return set()
    return set(islice(journal.chains.keys(min=text, max=text + '\uffff'), SHORT_ID_MATCHES))


def _date(text):
    """The date of a filter field, or ``None`` (no filter) when it is not a
    date of :data:`portail.validators.ANY_DATE`."""
    return parse_date(text) or None
