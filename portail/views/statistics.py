"""The anonymous statistics pages (docs/domain.md, *CLI and statistics*; issue 6).

``/statistics/<district>/`` shows one district's figures to its CLI
facilitators and managers; ``/statistics/`` shows the département's figures
(with each district's count) to the DPO and the département manager, and
sends a district's reader to their district.  Each page covers the
completed months of one calendar year (``?year=``) and has its CSV twin
(``csv``).  Who sees what is in the ACLs of :mod:`portail.models.statistics`;
the figures come from the published snapshot (:mod:`portail.statistics.snapshot`),
every scope protected together (:mod:`portail.statistics.linked`), and the
protected tables are kept per scope, year, language and snapshot version
(:mod:`portail.statistics.cache`).
"""
import csv
import io

from pyramid.httpexceptions import HTTPFound
from pyramid.response import Response
from pyramid.view import view_config

from portail.acl import permissions as P
from portail.auth.sessions import current_identity
from portail.clock import utcnow
from portail.i18n import _
from portail.models.statistics import DistrictStatistics, StatisticsSpace
from portail.statistics import snapshot as snapshots
from portail.statistics.cache import published_report, published_tables
from portail.statistics.tables import csv_rows, shown_text
from portail.timefmt import LOCAL_ZONE, format_date
from portail.validators import BadParameter, ascii_int


def chosen_year(request, snapshot):
    """The year asked for (default: the year of the last completed month), the
    years to choose from, and an error message if it is not one of them (ASCII
    digits only: ``int()`` also reads ``'²'``-like digits, and fails on
    thousands of them)."""
    default = snapshots.last_year(snapshot)
    years = snapshots.years(snapshot)
    raw = request.GET.get('year', '').strip()
    if not raw:
        return default, years, None
    year = ascii_int(raw, years[0], years[-1])
    if year in years:
        return year, years, None
    return default, years, _('There are no statistics for the year "${year}": choose a '
                             'year in the list.', mapping={'year': raw[:10]})


def published(request):
    """The published snapshot (taken first if due), the year asked for, the
    years to choose from, and an error or None; with an error, the page
    answers 400 (and shows the default year)."""
    snapshot = snapshots.published_snapshot(request.root.statistics, utcnow(request.registry))
    year, years, error = chosen_year(request, snapshot)
    if error is not None:
        request.response.status_int = 400
    return snapshot, year, years, error


def csv_report_for(request, district=None):
    """The report of the year asked for; a year not counted refuses the download."""
    snapshot, year, _years, error = published(request)
    if error is not None:
        raise BadParameter('year')
    return published_report(request, snapshot, year, district)


def render(request, title, district=None):
    """The page of ``district`` (None: the département); its protected tables
    come from this process's cache (:mod:`portail.statistics.cache`), reached
    only once the view's permission has been checked."""
    snapshot, year, years, error = published(request)
    report, tables_html = published_tables(request, snapshot, year, district)
    return {'title': title, 'report': report, 'tables_html': tables_html, 'years': years,
            'error': error,
            'text': lambda v: shown_text(v, report.threshold, request.localizer.translate),
            'as_of': format_date(report.as_of.astimezone(LOCAL_ZONE).date()),
            'csv_url': request.resource_url(request.context, 'csv', query={'year': year})}


@view_config(context=StatisticsSpace, name='', renderer='portail:templates/statistics/report.pt',
             permission=P.VIEW_STATISTICS)
def department_view(request):
    """The département's figures; a district's reader goes to their district."""
    if not request.has_permission(P.READ_DEPARTMENT_STATISTICS, request.context):
        district = current_identity(request).user.district
        return HTTPFound(request.resource_url(request.context[district]))
    return render(request, _('Statistics of the département'))


@view_config(context=DistrictStatistics, name='',
             renderer='portail:templates/statistics/report.pt',
             permission=P.READ_STATISTICS)
def district_view(request):
    district = request.root.districts[request.context.__name__]
    return render(request, _('Statistics of ${district}', mapping={'district': district.name}),
                  request.context.__name__)


def csv_response(request, report, filename):
    """The published figures of ``report`` as a CSV download (no chart drawn),
    as a French spreadsheet opens it: ``;`` between the fields, UTF-8 with a
    byte order mark (without one Excel reads the accents in the Windows code page)."""
    translate = request.localizer.translate
    out = io.StringIO()
    writer = csv.writer(out, delimiter=';')
    writer.writerows(csv_rows(report, translate))
    response = Response(body=out.getvalue().encode('utf-8-sig'), content_type='text/csv',
                        charset='utf-8')
    response.content_disposition = f'attachment; filename="{filename}-{report.year}.csv"'
    return response


@view_config(context=StatisticsSpace, name='csv', permission=P.READ_DEPARTMENT_STATISTICS)
def department_csv_view(request):
    report = csv_report_for(request)
    return csv_response(request, report, 'statistiques-departement')


@view_config(context=DistrictStatistics, name='csv', permission=P.READ_STATISTICS)
def district_csv_view(request):
    return csv_response(request, csv_report_for(request, request.context.__name__),
                        'statistiques-circonscription')
