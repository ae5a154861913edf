"""The readers of the statistics, pooled, as an attacker (issue 21).

An attacker here is every reader of every scope at once: the facilitators of
each district and the département's director (or the DPO) comparing their
pages.  They know every published figure of every page of the same months,
that a "< 5" is between 0 and 4 and a hidden ("masqué") count at least 5,
that every row and column adds up, that the département's cells are the sums
of the districts' cells, and that nothing is negative.  A figure that no
page publishes is only known not to be negative.  Any smaller group of
readers knows less, so what holds for them all holds for every pair.

:func:`reader_bounds` computes, with a linear program per unknown, the least
and the greatest value they can deduce.  The constraint matrix (sums along
the axes of a closed table) is that of a network flow for two axes; for the
three axes of the months cube the bounds of the relaxation are still what an
attacker with a linear-programming solver gets, and they are what we check.

Published figures are a map ``{(cube, position): value}`` where ``value`` is
an int, ``PRIMARY`` or ``COMPLEMENTARY``, built either from a
:class:`~portail.statistics.linked.LinkedYear` (:func:`linked_pages`) or the
way the pages protected each scope alone before issue 21
(:func:`independent_pages`).

``python -m tests.statistics_attack`` prints what the demo's pooled tables
give away, protected either way.
"""
import itertools

import numpy as np
from scipy.optimize import linprog

from portail.statistics.linked import CUBES, LinkedYear
from portail.statistics.suppression import COMPLEMENTARY, PRIMARY, ProtectedTable


def lines(cube):
    """Every sum of the closed cube: (cells, total) along each axis that has one."""
    for a, has_total in enumerate(cube.totals):
        if not has_total:
            continue
        others = [range(size) for b, size in enumerate(cube.sizes) if b != a]
        for rest in itertools.product(*others):
            yield ([rest[:a] + (i,) + rest[a:] for i in range(cube.shape[a])],
                   rest[:a] + (cube.shape[a],) + rest[a:])


def variable_of(linked, name, position):
    """One variable per quantity: a district's grand total is one number in the
    months cube and the durations cube."""
    if name == 'durations' and position[1] == linked.cubes[name].shape[1]:
        months = linked.cubes['months']
        return 'months', (position[0], months.shape[1], months.shape[2])
    return name, position


def reader_bounds(linked, published, threshold, wanted=None):
    """``{(cube, position): (least, greatest)}`` for every quantity that is not
    published as a number (or only those ``wanted(key)`` selects), as the
    pooled readers can work it out."""
    known, bounds = {}, {}
    for (name, position), value in published.items():
        key = variable_of(linked, name, position)
        if isinstance(value, int):
            known[key] = value
        else:
            bounds[key] = (0, threshold - 1) if value == PRIMARY else (threshold, None)
    unknowns = {}
    for name in CUBES:
        for position in linked.cubes[name].positions():
            key = variable_of(linked, name, position)
            if key not in known and key not in unknowns:
                unknowns[key] = len(unknowns)
    if not unknowns:
        return {}
    rows, rhs = [], []
    for name in CUBES:
        for cells, total in lines(linked.cubes[name]):
            coefficients, constant = np.zeros(len(unknowns)), 0
            for sign, positions in ((1, cells), (-1, [total])):
                for position in positions:
                    key = variable_of(linked, name, position)
                    if key in unknowns:
                        coefficients[unknowns[key]] += sign
                    else:
                        constant += sign * known[key]
            if coefficients.any():
                rows.append(coefficients)
                rhs.append(-constant)
            else:
                assert constant == 0, 'published figures must add up'
    limits = [bounds.get(key, (0, None)) for key in unknowns]
    found = {}
    for key, column in unknowns.items():
        if wanted is not None and not wanted(key):
            continue
        objective = np.zeros(len(unknowns))
        objective[column] = 1
        low = linprog(objective, A_eq=rows or None, b_eq=rhs or None, bounds=limits)
        high = linprog(-objective, A_eq=rows or None, b_eq=rhs or None, bounds=limits)
        assert low.status == 0, 'the real figures must be feasible'
        found[key] = (low.fun, np.inf if high.status == 3 else -high.fun)
    return found


def linked_pages(linked):
    """``{scope: {(cube, position): value}}``: what each page of :class:`LinkedYear`
    publishes (nothing for a scope that is not published)."""
    pages = {scope: {} for scope in range(linked.department + 1)}
    for name in CUBES:
        for position in linked.cubes[name].positions():
            for scope in linked.pages(name, position):
                if linked.published[scope]:
                    pages[scope][(name, position)] = linked.shown(name, position)
    return pages


def independent_pages(linked):
    """What each page published before issue 21: each scope's tables protected
    alone (with the same counts and months as ``linked``)."""
    threshold = linked.threshold
    pages = {}
    months, durations, themes = (linked.cubes[n] for n in CUBES)
    n, nm, ns = months.shape
    for scope in range(n + 1):
        page = pages[scope] = {}
        table = ProtectedTable([[months.value((scope, m, s)) for s in range(ns)]
                                for m in range(nm)], threshold)
        line = ProtectedTable([[durations.value((scope, k))
                                for k in range(durations.shape[1])]], threshold)
        by_district = ProtectedTable([[months.value((d, nm, ns)) for d in range(n)]],
                                     threshold)
        if not (table.safe and line.safe and (scope < n or by_district.safe)):
            continue
        for m, s in itertools.product(range(nm + 1), range(ns + 1)):
            page[('months', (scope, m, s))] = table.shown(
                None if m == nm else m, None if s == ns else s)
        for k in range(durations.shape[1]):
            page[('durations', (scope, k))] = line.shown(0, k)
        for t in range(themes.shape[1]):
            value = themes.value((scope, t))
            page[('themes', (scope, t))] = PRIMARY if value < threshold else value
        if scope == n:
            for d in range(n):
                page[('months', (d, nm, ns))] = by_district.shown(0, d)
    return pages


def pooled(pages, scopes):
    """What the readers of ``scopes`` know together: a figure shown as a number
    on one page is known, whatever another page shows of it."""
    known = {}
    for scope in scopes:
        for key, value in pages[scope].items():
            if isinstance(known.get(key), int):
                continue
            known[key] = value
    return known


def leaks(linked, published):
    """What the pooled readers learn: ``(pinned, narrowed, failures)`` where
    ``pinned`` are the small counts (published "< 5", or a district's count no
    page shows) worked out exactly, ``narrowed`` those left with fewer than
    ``threshold`` possible values, and ``failures`` every position breaking
    the rules: a small count shown, or a suppressed figure (or a district's
    small count) with a single possible value."""
    threshold = linked.threshold
    pinned, narrowed, failures = [], [], []
    for key, value in published.items():
        name, position = key
        truth = linked.cubes[name].value(position)
        if truth < threshold and value != PRIMARY:
            failures.append((key, truth, value, 'small count shown'))
        elif isinstance(value, int) and value != truth:
            failures.append((key, truth, value, 'wrong figure'))
        elif value == COMPLEMENTARY and truth < threshold:
            failures.append((key, truth, value, 'hidden small count'))
    def small_or_hidden(key):
        name, position = key
        value = published.get(key)
        district = position[0] < linked.department
        return value is not None or (district and linked.cubes[name].value(position) < threshold)

    for key, (low, high) in reader_bounds(linked, published, threshold,
                                          small_or_hidden).items():
        name, position = key
        truth = linked.cubes[name].value(position)
        value = published.get(key)
        district = position[0] < linked.department
        small = truth < threshold and (value == PRIMARY or (value is None and district))
        if small and high - low < 1 - 1e-6:
            pinned.append((key, truth))
        if small and min(high, threshold - 1) - low < threshold - 1 - 1e-6:
            narrowed.append((key, truth, low, high))
        if (value is not None or small) and high - low < 1 - 1e-6:
            failures.append((key, truth, (low, high), 'worked out'))
    return pinned, narrowed, failures


def demo_counts(portal):
    """The demo's counts, districts and months as its pages publish them today:
    the completed months of the year of the last completed month."""
    from portail.statistics.counters import recount
    from portail.statistics.snapshot import current_month

    until = current_month(portal.clock.now())
    year = int(until[:4]) - (until[5:] == '01')
    with portal.root() as root:
        counts = recount(root)
        districts = sorted(root.statistics.keys())
    months = [m for m in (f'{year}-{k:02d}' for k in range(1, 13)) if m < until]
    return counts, districts, months


def main():  # pragma: no cover (prints the figures of the report)
    import os

    from portail.demo import create_spread
    from portail.journal.key import create_key
    from tests.conftest import TEST_SETTINGS, Portal

    if not os.path.exists(TEST_SETTINGS['portail.journal_key_file']):
        create_key(TEST_SETTINGS['portail.journal_key_file'])
    portal = Portal().initialise()
    with portal.root() as root:
        create_spread(root, portal.registry)
        names = {k: d.name for k, d in root.districts.items()}
    counts, districts, months = demo_counts(portal)
    linked = LinkedYear(counts, districts, months, 5)
    print(f'demo: {len(districts)} districts, months {months[0]}..{months[-1]}')
    everyone = range(linked.department + 1)
    coalitions = [('every reader', everyone)] + [
        (f'{names[d]} + département', (k, linked.department))
        for k, d in enumerate(districts)]
    for label, pages in (('each scope protected alone (before)', independent_pages(linked)),
                         ('linked tables (issue 21)', linked_pages(linked))):
        print(label)
        print(f'  published scopes: {[k for k in everyone if pages[k]]}')
        for who, scopes in coalitions:
            pinned, narrowed, failures = leaks(linked, pooled(pages, scopes))
            print(f'  {who}: {len(pinned)} small counts worked out exactly, '
                  f'{len(narrowed)} narrowed below 0..4, {len(failures)} rule(s) broken')


if __name__ == '__main__':  # pragma: no cover
    main()
