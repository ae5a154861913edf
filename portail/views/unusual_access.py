"""The DPO's unusual-access report: which accounts looked up many people,
read files outside their caseload, read at night or in bursts, day by day.

It reads the day records of :mod:`portail.journal.activity` for the days
asked for (the last seven by default), never a chain.  Each line offers the
journal of that account on that day (and of each dossier read outside the
caseload) through the DPO's journal filter, a POST form, so that no login
appears in a URL.
"""
from datetime import timedelta

from pyramid.view import view_config

from portail.acl import permissions as P
from portail.clock import utcnow
from portail.i18n import _
from portail.journal import activity
from portail.journal.record import journal_of
from portail.models.root import PortalRoot
from portail.timefmt import format_date
from portail.validators import parse_date
from portail.views.labels import ROLE_LABELS

#: the days shown without dates asked for
DEFAULT_DAYS = 7
#: the longest period one page covers
MAX_DAYS = 92


def thresholds(settings):
    return (settings['portail.unusual_lookups_per_day'],
            settings['portail.unusual_burst_reads'])


def reasons(record, lookups_above, burst_from):
    """The French sentences saying why ``record`` is unusual (none: usual)."""
    found = []
    if record.lookups > lookups_above:
        found.append(_('Identity lookups: ${n} (more than ${limit})',
                       mapping={'n': record.lookups, 'limit': lookups_above}))
    if record.outside_reads:
        found.append(_('Reads of dossiers outside the caseload and delegations: ${n}',
                       mapping={'n': record.outside_reads}))
    if record.night:
        found.append(_('Reads at night (${start}:00 to ${end}:00): ${n}',
                       mapping={'n': record.night, 'start': activity.NIGHT_STARTS,
                                'end': activity.NIGHT_ENDS}))
    if record.burst >= burst_from:
        found.append(_('Reads within ${minutes} minutes: ${n}',
                       mapping={'n': record.burst,
                                'minutes': int(activity.BURST_WINDOW.total_seconds() // 60)}))
    return found


def period(request, today):
    """``(start, end, error)`` from the ``from`` and ``to`` of the query."""
    start = parse_date(request.GET.get('from', ''))
    end = parse_date(request.GET.get('to', ''))
    if start is False or end is False:
        return today - timedelta(days=DEFAULT_DAYS - 1), today, _(
            'A date was not understood: the last seven days are shown.')
    end = end or today
    start = start or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        return end - timedelta(days=DEFAULT_DAYS - 1), end, _(
            'The start date comes after the end date: the last seven days are shown.')
    if (end - start).days >= MAX_DAYS:
        return end - timedelta(days=MAX_DAYS - 1), end, _(
            'One page covers at most ${n} days: the last ${n} days up to the end date are '
            'shown.', mapping={'n': MAX_DAYS})
    return start, end, None


@view_config(context=PortalRoot, name='unusual-access',
             renderer='portail:templates/journal/unusual.pt',
             permission=P.VIEW_ALL_JOURNALS)
def unusual_access_view(request):
    today = activity.local_day(utcnow(request.registry))
    start, end, error = period(request, today)
    lookups_above, burst_from = thresholds(request.registry.settings)
    users = request.root.users
    rows = []
    for day, uid, record in activity.days(journal_of(request), start, end):
        why = reasons(record, lookups_above, burst_from)
        if not why:
            continue
        user = users.get(uid)
        rows.append({
            'day': day,
            'day_label': format_date(parse_date(day)),
            'name': user.fullname if user is not None else '?',
            'login': user.login if user is not None else '',
            'roles': [ROLE_LABELS[r] for r in (user.roles if user is not None else ())
                      if r in ROLE_LABELS],
            'reasons': why,
            'outside': record.outside,
        })
    rows.sort(key=lambda row: (row['day'], row['name']), reverse=True)
    return {'rows': rows, 'start': start.isoformat(), 'end': end.isoformat(),
            'error': error, 'lookups_above': lookups_above, 'burst_from': burst_from}
