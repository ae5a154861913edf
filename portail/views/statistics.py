"""The anonymous statistics pages (docs/domain.md, *CLI and statistics*; issue 6).

``/statistics/<district>/`` shows one district's figures to its CLI
facilitators and managers; ``/statistics/`` shows the département's figures
(with each district's count) to the DPO and the département manager, and
sends a district's reader to their district.  Each page covers one calendar
year (``?year=``) and has its CSV twin (``csv``).  Who sees what is in the
ACLs of :mod:`portail.models.statistics`; the figures come from the counters.
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
from portail.statistics.charts import bar_chart
from portail.statistics.tables import build_report, csv_rows, shown_text, years_counted
from portail.validators import BadParameter, ascii_int


def threshold_of(request):
    return request.registry.settings['portail.statistics_threshold']


def chosen_year(request, scope):
    """The year asked for (default: this year), and an error message if it is
    not one of the years counted (ASCII digits only: ``int()`` also reads
    ``'²'``-like digits, and fails on thousands of them)."""
    this_year = utcnow(request.registry).year
    years = sorted(set(years_counted(scope)) | {this_year})
    raw = request.GET.get('year', '').strip()
    if not raw:
        return this_year, years, None
    year = ascii_int(raw, years[0], years[-1])
    if year in years:
        return year, years, None
    return this_year, years, _('There are no statistics for the year "${year}": choose a '
                               'year in the list.', mapping={'year': raw[:10]})


def department_scope(request):
    return list(request.context.values()), {
        k: d.name for k, d in request.root.districts.items()}


def report_for(request, scope, district_names=None):
    """The report of the year asked for, the years to choose from, an error or
    None; with an error, the page answers 400 (the report is this year's)."""
    year, years, error = chosen_year(request, scope)
    if error is not None:
        request.response.status_int = 400
    return build_report(scope, year, threshold_of(request), district_names), years, error


def csv_report_for(request, scope, district_names=None):
    """The report of the year asked for; a year not counted refuses the download."""
    report, _years, error = report_for(request, scope, district_names)
    if error is not None:
        raise BadParameter('year')
    return report


def render(request, scope, title, district_names=None):
    translate = request.localizer.translate
    report, years, error = report_for(request, scope, district_names)
    threshold, year = report.threshold, report.year
    charts = {table.name: [bar_chart(t, lines, threshold, translate)
                           for t, lines in table.charts] for table in report.tables}
    return {'title': title, 'report': report, 'charts': charts, 'years': years,
            'error': error, 'text': lambda v: shown_text(v, threshold, translate),
            'csv_url': request.resource_url(request.context, 'csv', query={'year': year})}


@view_config(context=StatisticsSpace, name='', renderer='portail:templates/statistics/report.pt',
             permission=P.VIEW_STATISTICS)
def department_view(request):
    """The département's figures; a district's reader goes to their district."""
    if not request.has_permission(P.READ_DEPARTMENT_STATISTICS, request.context):
        district = current_identity(request).user.district
        return HTTPFound(request.resource_url(request.context[district]))
    scope, names = department_scope(request)
    return render(request, scope, _('Statistics of the département'), names)


@view_config(context=DistrictStatistics, name='',
             renderer='portail:templates/statistics/report.pt',
             permission=P.READ_STATISTICS)
def district_view(request):
    district = request.root.districts[request.context.__name__]
    return render(request, [request.context],
                  _('Statistics of ${district}', mapping={'district': district.name}))


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
    scope, names = department_scope(request)
    report = csv_report_for(request, scope, names)
    return csv_response(request, report, 'statistiques-departement')


@view_config(context=DistrictStatistics, name='csv', permission=P.READ_STATISTICS)
def district_csv_view(request):
    return csv_response(request, csv_report_for(request, [request.context]),
                        'statistiques-circonscription')
