"""The tables of a statistics page, read from the published snapshot.

A page covers the published (completed) months of one calendar year and a
*scope*: one district, or the whole département.  Years never overlap.
Tables:

- contracts by start month and state, with the totals of each month and
  state (the one two-dimensional table);
- contracts by district (département scope only);
- contracts by duration;
- contracts by theme (a contract may have several themes: no total).

The figures of every scope are protected together
(:class:`~portail.statistics.linked.LinkedYear`): a page is one scope's view
of them.  Every additive table of a page has the same grand total, which is
shown and never hidden to protect a cell.  When a scope cannot be protected,
its page publishes no figure at all.
"""
from dataclasses import dataclass, field

from portail.i18n import _
from portail.models.contract import THEMES
from portail.statistics.linked import DURATIONS, STATE_KEYS
from portail.statistics.suppression import COMPLEMENTARY, PRIMARY
from portail.workflow.contract import STATES

MONTH_NAMES = (_('January'), _('February'), _('March'), _('April'), _('May'), _('June'),
               _('July'), _('August'), _('September'), _('October'), _('November'),
               _('December'))


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


@dataclass
class Report:
    year: int
    threshold: int
    published: bool
    tables: list
    #: when the published snapshot was taken (aware UTC datetime)
    as_of: object = None


def build_report(linked, scope, year, district_names=None, as_of=None):
    """The tables of ``scope`` (an index of ``linked``'s district axis; its
    :attr:`~LinkedYear.department` for the département) for ``year``.

    ``district_names`` (district id → name) adds the table by district.
    """
    months, durations, themes = (linked.cubes[n] for n in ('months', 'durations', 'themes'))
    nm, ns = months.shape[1], months.shape[2]
    month_labels = [MONTH_NAMES[int(m[5:]) - 1] for m in linked.months]
    state_labels = [STATES[s] for s in STATE_KEYS]

    def shown(name, *position):
        return linked.shown(name, (scope, *position))

    by_month = Table(
        'months', _('Contracts by start month and state'), _('Start month'), month_labels,
        state_labels,
        cells=[[shown('months', m, s) for s in range(ns)] for m in range(nm)],
        row_totals=[shown('months', m, ns) for m in range(nm)],
        column_totals=[shown('months', nm, s) for s in range(ns)],
        total=shown('months', nm, ns))
    by_month.charts = [
        (_('Contracts by start month'), list(zip(month_labels, by_month.row_totals,
                                                 strict=True))),
        (_('Contracts by state'), list(zip(state_labels, by_month.column_totals,
                                           strict=True)))]
    tables = [by_month]
    if district_names is not None:
        order = sorted(range(len(linked.districts)),
                       key=lambda d: district_names.get(linked.districts[d],
                                                        linked.districts[d]))
        labels = [district_names.get(linked.districts[d], linked.districts[d]) for d in order]
        tables.append(_line('districts', _('Contracts by district'), _('District'), labels,
                            [linked.shown('months', (d, nm, ns)) for d in order],
                            by_month.total))
    k = durations.shape[1]
    duration_labels = [_('${n} months', mapping={'n': d}) if d else _('not set yet')
                       for d in DURATIONS]
    tables.append(_line('durations', _('Contracts by duration'), _('Duration'),
                        duration_labels, [shown('durations', j) for j in range(k)],
                        shown('durations', k)))
    # themes are not additive (several per contract): no total
    theme_cells = [shown('themes', t) for t in range(themes.shape[1])]
    theme_labels = list(THEMES.values())
    tables.append(Table('themes', _('Contracts by theme'), _('Theme'), [_('Contracts')],
                        theme_labels, [theme_cells],
                        charts=[(_('Contracts by theme'),
                                 list(zip(theme_labels, theme_cells, strict=True)))]))
    return Report(year, linked.threshold, linked.published[scope], tables, as_of)


def _line(name, title, header, labels, cells, total):
    table = Table(name, title, header, [_('Contracts')], labels, cells=[cells],
                  row_totals=[total])
    table.charts = [(title, list(zip(labels, cells, strict=True)))]
    return table


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
