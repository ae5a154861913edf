"""The tables of a statistics page, read from the counters (never the contracts).

A page covers one calendar year and a *scope*: one district, or the whole
département.  Years never overlap, so no two pages can be subtracted to
isolate a month.  Tables:

- contracts by start month and state, with the totals of each month and
  state (the one two-dimensional table);
- contracts by district (département scope only);
- contracts by duration;
- contracts by theme (a contract may have several themes: no total).

Every additive table has the same grand total, which is shown whenever it
reaches the threshold and never hidden to protect a cell, so the tables
cannot be combined against each other.  When a table cannot be protected
(:attr:`ProtectedTable.safe`), the page publishes no figure at all.
"""
from collections import Counter
from dataclasses import dataclass, field

from portail.i18n import _
from portail.models.contract import THEMES
from portail.statistics.counters import NO_DURATION
from portail.statistics.suppression import COMPLEMENTARY, PRIMARY, protect, protect_line
from portail.workflow.contract import STATES

DURATIONS = tuple(range(3, 13)) + (NO_DURATION,)
MONTH_NAMES = (_('January'), _('February'), _('March'), _('April'), _('May'), _('June'),
               _('July'), _('August'), _('September'), _('October'), _('November'),
               _('December'))


def months_of(year):
    return [f'{year}-{month:02d}' for month in range(1, 13)]


def year_counts(statistics, year):
    """``Counter((month, dimension, value) -> count)`` of one district's year."""
    counts = Counter()
    for key, counter in statistics.counters.items(min=(f'{year}-01',),
                                                  max=(f'{year}-12', '\uffff')):
        counts[key] = counter()
    return counts


def years_counted(statistics_list):
    """The years that have counters, in any of ``statistics_list``."""
    years = set()
    for statistics in statistics_list:
        if len(statistics.counters):
            years.add(int(statistics.counters.minKey()[0][:4]))
            years.add(int(statistics.counters.maxKey()[0][:4]))
    years.discard(0)
    return list(range(min(years), max(years) + 1)) if years else []


@dataclass
class Table:
    """One published table: labels, and each cell as an int or a suppression status."""

    name: str
    title: object
    row_header: object
    rows: list
    columns: list
    cells: list
    row_totals: list = None
    column_totals: list = None
    total: object = None
    #: the (label, value) lines drawn as a chart beside the table
    charts: list = field(default_factory=list)


def _from_protected(name, title, row_header, rows, columns, protected, charts=()):
    m, n = len(rows), len(columns)
    return Table(
        name, title, row_header, rows, columns,
        cells=[[protected.shown(i, j) for j in range(n)] for i in range(m)],
        row_totals=[protected.shown(i, None) for i in range(m)],
        column_totals=[protected.shown(None, j) for j in range(n)],
        total=protected.shown(), charts=list(charts))


def _line(name, title, header, labels, counts, threshold):
    protected = protect_line(counts, threshold)
    table = Table(name, title, header, [_('Contracts')], labels,
                  cells=[[protected.shown(0, j) for j in range(len(labels))]],
                  row_totals=[protected.shown(0, None)])
    table.charts = [(title, list(zip(labels, table.cells[0], strict=True)))]
    return table, protected.safe


@dataclass
class Report:
    year: int
    threshold: int
    published: bool
    tables: list


def build_report(scope, year, threshold, district_names=None):
    """The tables of ``year`` over ``scope`` (a list of DistrictStatistics).

    ``district_names`` (district id → name) adds the table by district.
    """
    per_district = {stats.__name__: year_counts(stats, year) for stats in scope}
    counts = sum(per_district.values(), Counter())
    months = months_of(year)
    month_labels = list(MONTH_NAMES)
    states = list(STATES)
    state_labels = [STATES[s] for s in states]
    main = protect([[counts[(m, 'state', s)] for s in states] for m in months],
                          threshold)
    safe = main.safe
    by_month = _from_protected(
        'months', _('Contracts by start month and state'), _('Start month'), month_labels,
        state_labels, main)
    by_month.charts = [
        (_('Contracts by start month'), list(zip(month_labels, by_month.row_totals,
                                                 strict=True))),
        (_('Contracts by state'), list(zip(state_labels, by_month.column_totals,
                                           strict=True)))]
    tables = [by_month]
    if district_names is not None:
        ids = sorted(per_district, key=lambda d: district_names.get(d, d))
        line, ok = _line('districts', _('Contracts by district'), _('District'),
                         [district_names.get(d, d) for d in ids],
                         [sum(v for k, v in per_district[d].items() if k[1] == 'state')
                          for d in ids], threshold)
        tables.append(line)
        safe = safe and ok
    duration_labels = [_('${n} months', mapping={'n': d}) if d else _('not set yet')
                       for d in DURATIONS]
    line, ok = _line('durations', _('Contracts by duration'), _('Duration'), duration_labels,
                     [sum(counts[(m, 'duration', d)] for m in months) for d in DURATIONS],
                     threshold)
    tables.append(line)
    safe = safe and ok
    # themes are not additive (several per contract, no total): small counts only
    theme_counts = [sum(counts[(m, 'theme', t)] for m in months) for t in THEMES]
    theme_cells = [PRIMARY if c < threshold else c for c in theme_counts]
    theme_labels = list(THEMES.values())
    tables.append(Table('themes', _('Contracts by theme'), _('Theme'), [_('Contracts')],
                        theme_labels, [theme_cells],
                        charts=[(_('Contracts by theme'),
                                 list(zip(theme_labels, theme_cells, strict=True)))]))
    return Report(year, threshold, safe, tables)


def shown_text(value, threshold, translate):
    """A published cell as text: the count, "< 5", or "hidden"."""
    if value == PRIMARY:
        return f'< {threshold}'
    if value == COMPLEMENTARY:
        return translate(_('hidden'))
    return str(value)


def csv_rows(report, translate):
    """Every published figure as ``(table, row, column, value)``."""
    yield (translate(_('table')), translate(_('row')), translate(_('column')),
           translate(_('contracts')))
    if not report.published:
        return
    total_label = translate(_('Total'))
    for table in report.tables:
        title = translate(table.title)
        for row, cells in zip(table.rows, table.cells, strict=True):
            for column, value in zip(table.columns, cells, strict=True):
                yield (title, translate(row), translate(column),
                       shown_text(value, report.threshold, translate))
        for row, value in zip(table.rows, table.row_totals or (), strict=False):
            yield title, translate(row), total_label, shown_text(value, report.threshold,
                                                                 translate)
        for column, value in zip(table.columns, table.column_totals or (), strict=False):
            yield title, total_label, translate(column), shown_text(value, report.threshold,
                                                                    translate)
        if table.total is not None:
            yield title, total_label, total_label, shown_text(table.total, report.threshold,
                                                              translate)
