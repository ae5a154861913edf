"""The secret statistique: every count below the threshold is hidden, and no
hidden count can be worked out from what is shown.

A reader knows every shown value, that every row and column adds up to its
total, that a primary cell ("< 5") lies in [0, 4] and that a complementary
cell (hidden, but not "< 5") is at least 5.  For each hidden cell a linear
program finds the least and the greatest value consistent with all that; the
constraint matrix of a table with its totals is totally unimodular, so both
bounds are reached by integer tables, and the cell is safe when they differ.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from portail.statistics.suppression import COMPLEMENTARY, PRIMARY, ProtectedTable, protect_line

THRESHOLD = 5


def closed_positions(table):
    m, n = len(table.rows), len(table.columns)
    return [(i, j) for i in range(m + 1) for j in range(n + 1)]


def equations(table):
    """Each line of the closed table: (positions with coefficient +1, with -1)."""
    m, n = len(table.rows), len(table.columns)
    lines = [([(i, j) for j in range(n)], [(i, n)]) for i in range(m)]
    lines += [([(i, j) for i in range(m)], [(m, j)]) for j in range(n)]
    lines.append(([(m, j) for j in range(n)], [(m, n)]))
    lines.append(([(i, n) for i in range(m)], [(m, n)]))
    return lines


def reader_bounds(table):
    """{hidden position: (least, greatest)} that a reader can work out."""
    hidden = [p for p in closed_positions(table) if table.status(*p) is not None]
    if not hidden:
        return {}
    column = {p: k for k, p in enumerate(hidden)}
    rows, rhs = [], []
    for plus, minus in equations(table):
        coefficients, known = np.zeros(len(hidden)), 0
        for sign, positions in ((1, plus), (-1, minus)):
            for p in positions:
                if p in column:
                    coefficients[column[p]] += sign
                else:
                    known += sign * table._value(*p)
        if coefficients.any():
            rows.append(coefficients)
            rhs.append(-known)
    bounds = [(0, THRESHOLD - 1) if table.status(*p) == PRIMARY else (THRESHOLD, None)
              for p in hidden]
    found = {}
    for p in hidden:
        objective = np.zeros(len(hidden))
        objective[column[p]] = 1
        low = linprog(objective, A_eq=rows or None, b_eq=rhs or None, bounds=bounds)
        high = linprog(-objective, A_eq=rows or None, b_eq=rhs or None, bounds=bounds)
        assert low.status == 0, 'the real table must be feasible'
        found[p] = (low.fun, np.inf if high.status == 3 else -high.fun)
    return found


def check(table):
    if not table.safe:
        # nothing of it is published: the page says there are too few contracts
        return
    for p in closed_positions(table):
        value, status = table._value(*p), table.status(*p)
        if value < THRESHOLD:
            assert status == PRIMARY, (p, value)
        elif status is None:
            i, j = p
            assert table.shown(None if i == len(table.rows) else i,
                               None if j == len(table.columns) else j) == value
        else:
            assert status == COMPLEMENTARY
    for p, (low, high) in reader_bounds(table).items():
        assert high - low >= 1 - 1e-6, (p, table._value(*p), low, high, table.cells)


SMALL_COUNTS = st.integers(0, 40).map(lambda v: v if v % 3 else v // 8)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 6).flatmap(
    lambda width: st.lists(st.lists(SMALL_COUNTS, min_size=width, max_size=width),
                           min_size=1, max_size=8)))
def test_no_hidden_count_can_be_recovered_from_a_table(cells):
    check(ProtectedTable(cells, THRESHOLD))


@settings(max_examples=200, deadline=None)
@given(st.lists(SMALL_COUNTS, min_size=1, max_size=12))
def test_no_hidden_count_can_be_recovered_from_a_line(counts):
    check(protect_line(counts, THRESHOLD))


def test_a_lone_small_cell_takes_three_others_with_it():
    table = ProtectedTable([[20, 3, 12], [15, 9, 30]], THRESHOLD)
    assert table.status(0, 1) == PRIMARY and table.shown(0, 1) == PRIMARY
    hidden = [p for p in closed_positions(table) if table.status(*p) == COMPLEMENTARY]
    assert len(hidden) == 3
    assert table.shown() == 89 and table.status() is None


def test_the_row_total_gives_the_small_cell_away_without_complementary_suppression():
    """The checker itself: with only the primary cell hidden it finds the value."""
    table = ProtectedTable([[20, 3, 12]], THRESHOLD)
    table._status = {(0, 1): PRIMARY, (1, 1): PRIMARY}
    with pytest.raises(AssertionError):
        check(table)


def test_knowing_that_complementary_cells_are_at_least_five_is_taken_into_account():
    """Hiding 0 beside a 5 in a row: the reader knows 0 + x = 5 with x >= 5, so the
    pair 0/5 would give both away; the algorithm must choose otherwise."""
    table = protect_line([0, 5, 9, 30], THRESHOLD)
    check(table)
    assert table.status(0, 1) is None or table.status(0, 2) is not None


def test_a_total_below_the_threshold_hides_everything():
    table = ProtectedTable([[1, 2], [0, 1]], THRESHOLD)
    assert all(table.status(*p) == PRIMARY for p in closed_positions(table))
    assert not table.safe


@pytest.mark.parametrize('counts', [[4, 4], [0, 5], [5, 0]])
def test_small_counts_that_only_the_grand_total_could_hide_make_the_table_unsafe(counts):
    """4 and 4 out of 8: whatever is hidden, both are 4. Such a table is not shown."""
    assert not protect_line(counts, THRESHOLD).safe


def test_safe_tables_are_most_tables():
    """The unsafe case is rare: a realistic table of a district's year is published."""
    table = ProtectedTable([[12, 3, 40, 7, 0, 22], [9, 1, 31, 12, 2, 18],
                            [15, 6, 28, 4, 1, 30]], THRESHOLD)
    assert table.safe
    check(table)


# -- issue 21: every scope's tables protected together -------------------------
#
# The attacker is every reader at once (tests/statistics_attack.py): each
# district's page and the département's, pooled, with all their totals and
# the département's cells being the sums of the districts' cells.

from portail.statistics.linked import (  # noqa: E402
    DURATIONS,
    STATE_KEYS,
    THEME_KEYS,
    LinkedYear,
)
from tests.conftest import START  # noqa: E402
from tests.statistics_attack import (  # noqa: E402
    independent_pages,
    leaks,
    linked_pages,
    pooled,
)

MONTHS = [f'{START.year}-{m:02d}' for m in range(1, 13)]


def counts_of(contracts):
    """Counter keys of ``contracts``: (district, month, state, duration, themes)."""
    counts = {}
    for district, month, state, duration, themes in contracts:
        keys = [(district, month, 'state', state), (district, month, 'duration', duration)]
        keys += [(district, month, 'theme', theme) for theme in themes]
        for key in keys:
            counts[key] = counts.get(key, 0) + 1
    return counts


@st.composite
def hierarchical_data(draw):
    """Contracts of 1 to 3 districts over 1 to 3 months, few states: many small counts."""
    districts = [f'd{k}' for k in range(draw(st.integers(1, 3)))]
    months = MONTHS[:draw(st.integers(1, 3))]
    states = STATE_KEYS[:draw(st.integers(2, 3))]
    cell = st.integers(0, 30).map(lambda v: v if v % 3 else v // 8)
    contracts = []
    for district in districts:
        weight = draw(st.sampled_from((0, 1, 3)))
        for month in months:
            for state in states:
                for _ in range(draw(cell) * weight // 3 if weight else draw(cell) // 6):
                    contracts.append((district, month, state,
                                      draw(st.sampled_from(DURATIONS[:3])),
                                      draw(st.lists(st.sampled_from(THEME_KEYS[:3]),
                                                    min_size=1, max_size=2, unique=True))))
    return counts_of(contracts), districts, months


def every_scope(linked):
    return range(linked.department + 1)


def check_linked(linked, pages):
    """No rule broken for every reader pooled (a small count shown, a hidden
    figure worked out, a district's small count worked out)."""
    pinned, _narrowed, failures = leaks(linked, pooled(pages, every_scope(linked)))
    assert not failures, failures[:5]
    assert not pinned


@settings(max_examples=25, deadline=None)
@given(hierarchical_data())
def test_no_hidden_count_can_be_recovered_from_every_scope_pooled(data):
    counts, districts, months = data
    linked = LinkedYear(counts, districts, months, THRESHOLD)
    check_linked(linked, linked_pages(linked))
    # the same cell has the same status on every page that shows it, and a
    # scope's grand total is shown whenever its page is published
    for scope in every_scope(linked):
        if linked.published[scope]:
            assert isinstance(linked.shown('months', (scope, len(months), len(STATE_KEYS))),
                              int)


def planted():
    """Two districts, the south small: each table alone is protected, but the
    département's minus the north's gives the south's small counts."""
    contracts = []
    for month, (north, south) in zip(MONTHS, [((12, 9, 20), (3, 6, 7)),
                                              ((15, 3, 11), (8, 2, 9))], strict=False):
        for district, row in (('north', north), ('south', south)):
            for state, n in zip(STATE_KEYS, row, strict=False):
                contracts += [(district, month, state, 6, ('emploi',))] * n
    return LinkedYear(counts_of(contracts), ['north', 'south'], MONTHS[:2], THRESHOLD)


def test_districts_protected_independently_give_small_counts_away():
    """The checker itself: the pages as they were before issue 21 (each scope
    protected alone) fail it; the linked protection of the same figures passes."""
    linked = planted()
    pages = independent_pages(linked)
    assert all(pages[s] for s in every_scope(linked))  # every page published
    with pytest.raises(AssertionError):
        check_linked(linked, pages)
    pinned, _narrowed, _failures = leaks(linked, pooled(pages, (0, 2)))  # north + département
    assert pinned  # the south's small counts, which neither of them is shown
    check_linked(linked, linked_pages(linked))


def test_a_district_too_small_unpublishes_the_departement():
    """The département's total minus the other districts' totals would give a
    district's small total: neither page is published, the others are."""
    contracts = [('north', MONTHS[0], 'draft', 6, ('emploi',))] * 30
    contracts += [('south', MONTHS[0], 'signed', 6, ('emploi',))] * 3
    linked = LinkedYear(counts_of(contracts), ['north', 'south'], MONTHS[:1], THRESHOLD)
    assert linked.published == [True, False, False]
    check_linked(linked, linked_pages(linked))
