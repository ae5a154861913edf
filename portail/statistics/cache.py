"""The protected tables of a statistics page, kept per scope, year, language
and snapshot version (issue 20).

What is kept.  Only what a page may show: the report of one scope (a
district or the département) and one year *after* primary and complementary
suppression (:func:`portail.statistics.tables.build_report` over
:func:`portail.statistics.linked.linked_year`), and the HTML of its tables and
charts in one language.  A count below the threshold is in it only as "< 5",
a hidden one only as "hidden"; it names no person, contract or dossier.  The
same figures are served to every reader of the scope, so keeping them in the
process's memory discloses nothing a reader of the page does not see.  The
cache is process-local, bounded (:data:`MAXSIZE` entries, least recently used
first out: :class:`portail.boundedcache.BoundedCache`) and never written to
the database.

The version.  The pages do not read the live counters
(:mod:`portail.statistics.counters`), they read the published snapshot
(:mod:`portail.statistics.snapshot`, issue 21), which changes only when it is
refreshed (once a month).  So the version a page's tables depend on is the
snapshot's: :func:`portail.statistics.snapshot.refresh` gives the snapshot a
new :attr:`~portail.models.statistics.StatisticsSnapshot.version` in the same
transaction as its counts.  That write is free of new conflicts: the refresh
already writes the snapshot object, and the transitions, which write the
counters on every change, write nothing more (a version kept on the counters,
global or per district, would be written by every transition and invalidate
the tables on every change that the pages do not show yet; a per-district one
would not even be enough, since the linked protection makes a district's
page depend on every district's counts).

The version is a random token, not a number: a refresh whose transaction
is aborted (two first readers of a month conflict, ``pyramid_retry`` runs the
second again) may have kept tables under its token, and no committed snapshot
will ever carry that token, so they are never served.  A snapshot taken
before the version existed has none (``None``): its pages are not kept.

The key also holds what else a page depends on: the threshold, the list of
districts (a district added before the next refresh adds an axis) and, for
the département, the districts' names (the table by district shows them).
Each process keys its cache on the version it reads from the database, so
several portal processes (ZEO, RelStorage) are correct too: a process that
has not seen the new snapshot yet reads the old one, and shows its tables.

Permissions are checked before: the views that call this module declare
theirs, and Pyramid checks them before the view runs, so a reader never
gets another scope's tables from the cache.
"""
from pyramid.renderers import render

from portail.boundedcache import BoundedCache
from portail.statistics import snapshot as snapshots
from portail.statistics import tables
from portail.statistics.charts import bar_chart
from portail.statistics.linked import linked_year

#: the template of a page's tables and charts
TEMPLATE = 'portail:templates/statistics/tables.pt'
#: how many (scope, year, language, version) entries a process keeps
MAXSIZE = 128
_MISSING = object()


#: this process's protected tables (see the module's docstring)
KEPT = BoundedCache(MAXSIZE)


def threshold_of(request):
    return request.registry.settings['portail.statistics_threshold']


def district_names(request):
    return {k: d.name for k, d in request.root.districts.items()}


def _kept(version, key, build):
    """``build()``, kept under ``(version, *key)`` unless the snapshot has no version."""
    if version is None:
        return build()
    key = (version, *key)
    value = KEPT.get(key, _MISSING)
    if value is _MISSING:
        value = build()
        KEPT.put(key, value)
    return value


def _scope_key(request, year, district):
    names = tuple(sorted(district_names(request).items())) if district is None else None
    return (district, year, threshold_of(request),
            tuple(sorted(request.root.statistics.keys())), names)


def _build_report(request, snapshot, year, district):
    statistics = request.root.statistics
    districts = sorted(statistics.keys())
    linked = linked_year(snapshots.year_counts(snapshot, year), districts,
                         snapshots.months(snapshot, year), threshold_of(request))
    if district is None:
        return tables.build_report(linked, linked.department, year, district_names(request),
                                   snapshot.taken_at)
    return tables.build_report(linked, districts.index(district), year, None,
                               snapshot.taken_at)


def published_report(request, snapshot, year, district=None):
    """The protected report of ``district`` (None: the département) for ``year``,
    as ``snapshot`` publishes it (the same in every language)."""
    return _kept(snapshot.version, ('report', *_scope_key(request, year, district)),
                 lambda: _build_report(request, snapshot, year, district))


def _build_html(request, snapshot, year, district):
    report = published_report(request, snapshot, year, district)
    translate = request.localizer.translate
    threshold = report.threshold
    charts = {table.name: [bar_chart(t, lines, threshold, translate)
                           for t, lines in table.charts] for table in report.tables}
    html = render(TEMPLATE, {'report': report, 'charts': charts,
                             'text': lambda v: tables.shown_text(v, threshold, translate)},
                  request=request)
    return report, html


def published_tables(request, snapshot, year, district=None):
    """``(report, html)``: the protected report and its tables and charts as
    HTML in the request's language, kept per scope, year, language and version."""
    key = ('html', request.locale_name, *_scope_key(request, year, district))
    return _kept(snapshot.version, key, lambda: _build_html(request, snapshot, year, district))
