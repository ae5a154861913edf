"""Every scope's tables of one year, protected together (issue 21).

A district's readers see its page, the département's readers the
département's page with each district's total; readers compare what they
see.  So the tables of every scope (each district and the département) for
the same months are one *linked* set: the département's cell is the sum of
the districts' cells, and a suppression pattern chosen for each table alone
lets the département's figures minus one district's give another district's
small counts away.  Here each dimension is one :class:`Cube` whose first axis
is the district, closed by the département:

- ``months``: district × start month × state (the page's main table, its
  row and column totals, the grand totals, the table by district);
- ``durations``: district × duration, closed by each scope's grand total;
- ``themes``: district × theme (no total over the themes: a contract may
  have several), closed by the département's count of each theme.

Every scope's grand total (each district's count, the département's) is
shown on every table of its page and in the table by district, so it is
*fixed*: never hidden, never moved by a box, which keeps the cubes
independent of each other.  A scope whose grand total is below the threshold
publishes nothing; a small position that no box can protect unpublishes the
scope(s) that show it (the département, when it is a district's total or a
position of an unpublished district), and the protection runs again, until
every small count shown, or linked through the département's page, has its
box.  The result is deterministic: it depends on the counts only, and a cell
has one status wherever it is shown.
"""
import functools

from portail.models.contract import THEMES
from portail.statistics.counters import NO_DURATION
from portail.statistics.suppression import Cube, CubeProtection
from portail.workflow.contract import STATES

DURATIONS = tuple(range(3, 13)) + (NO_DURATION,)
STATE_KEYS = tuple(STATES)
THEME_KEYS = tuple(THEMES)
CUBES = ('months', 'durations', 'themes')


class LinkedYear:
    """The protected tables of every scope over ``months`` (a year's published months).

    ``counts`` maps ``(district, month, dimension, value)`` to a count;
    ``districts`` lists the district ids (their order is the order of the
    district axis); :attr:`department` is the index of the département on it.
    """

    def __init__(self, counts, districts, months, threshold):
        self.districts = tuple(districts)
        self.months = tuple(months)
        self.threshold = threshold
        self.department = len(self.districts)
        index = {d: k for k, d in enumerate(self.districts)}
        month_index = {m: k for k, m in enumerate(self.months)}
        state_index = {s: k for k, s in enumerate(STATE_KEYS)}
        duration_index = {d: k for k, d in enumerate(DURATIONS)}
        theme_index = {t: k for k, t in enumerate(THEME_KEYS)}
        inner = {name: {} for name in CUBES}
        for (district, month, dimension, value), count in counts.items():
            d, m = index.get(district), month_index.get(month)
            if d is None or m is None:
                continue
            if dimension == 'state' and value in state_index:
                key, name = (d, m, state_index[value]), 'months'
            elif dimension == 'duration' and value in duration_index:
                key, name = (d, duration_index[value]), 'durations'
            elif dimension == 'theme' and value in theme_index:
                key, name = (d, theme_index[value]), 'themes'
            else:
                continue
            inner[name][key] = inner[name].get(key, 0) + count
        n, nm, ns = len(self.districts), len(self.months), len(STATE_KEYS)
        self.cubes = {
            'months': Cube(inner['months'], (n, nm, ns), (True, True, True)),
            'durations': Cube(inner['durations'], (n, len(DURATIONS)), (True, True)),
            'themes': Cube(inner['themes'], (n, len(THEME_KEYS)), (True, False)),
        }
        #: the grand totals, shared by the cubes: shown, never hidden nor moved
        self.fixed = {
            'months': frozenset((d, nm, ns) for d in range(n + 1)),
            'durations': frozenset((d, len(DURATIONS)) for d in range(n + 1)),
            'themes': frozenset(),
        }
        self.published = [self.grand_total(d) >= threshold for d in range(n + 1)]
        if not self.districts or not self.months:
            self.published = [False] * (n + 1)
        self.protections = {}
        while True:
            failures = self._protect()
            if not failures:
                break
            for scope in failures:
                self.published[scope] = False

    def grand_total(self, scope):
        cube = self.cubes['months']
        return cube.value((scope, cube.shape[1], cube.shape[2]))

    def pages(self, name, position):
        """The scopes whose page shows ``position`` of cube ``name``."""
        if position in self.fixed[name]:  # a total: on its page and in the table by district
            return {position[0], self.department}
        return {position[0]}

    def _protect(self):
        """Protect every cube; return the scopes to unpublish (empty when done)."""
        unpublish = set()
        department = self.published[self.department]
        for name in CUBES:
            cube = self.cubes[name]
            shown = {p: any(self.published[s] for s in self.pages(name, p))
                     for p in cube.positions()}
            free = frozenset(p for p, v in shown.items() if not v)
            # a small count no page shows still needs a box when the département's
            # page, which sums it with others, is published
            protection = CubeProtection(cube, self.threshold, self.fixed[name], free,
                                        needed=lambda p, s=shown: s[p] or department)
            self.protections[name] = protection
            for position in protection.failures:
                scopes = {s for s in self.pages(name, position) if self.published[s]}
                unpublish |= scopes or {self.department}
        return {s for s in unpublish if self.published[s]}

    def shown(self, name, position):
        """A position as published: its count, or its suppression status."""
        status = self.protections[name].status.get(position)
        return self.cubes[name].value(position) if status is None else status


@functools.lru_cache(maxsize=64)
def _linked(counts, districts, months, threshold):
    return LinkedYear(dict(counts), districts, months, threshold)


def linked_year(counts, districts, months, threshold):
    """The :class:`LinkedYear` of these counts (read it, never change it).

    Protecting a year's tables takes a fraction of a second, and a snapshot's
    counts stay the same for a month: the result is kept per set of counts.
    """
    # the snapshot gives its counts in its keys' order: the same counts, the same key
    return _linked(tuple(counts.items()), tuple(districts), tuple(months), threshold)
