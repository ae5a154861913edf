"""The *secret statistique*: no published count may reveal a small group.

A table of counts is published with its row totals, column totals and grand
total.  Every count below the threshold (``portail.statistics_threshold``,
5 by default) is *primary* suppressed and shown as "< 5".  That is not
enough: a row total minus the shown cells of the row would give it back.  So
*complementary* cells are suppressed too, until no suppressed value can be
worked out from what is shown.

What a reader knows is taken into account: a primary cell lies in
``[0, threshold - 1]``, a complementary one (shown differently) is at least
``threshold``, and every row and column adds up.  A suppressed cell is safe
when another table, equal to the real one on every shown value and
consistent with that knowledge, gives it another value.  The algorithm
guarantees this by construction: for each primary cell it suppresses the
four corners of a rectangle (rows ``i, k``, columns ``j, l`` of the table
*closed* by its totals) along which one unit can be moved (``+1, -1, -1, +1``,
with the signs of the totals reversed) without leaving any cell's known
bounds, choosing the rectangle that hides the least.  Moving the unit keeps
every row and column sum, so each cell of the rectangle has at least two
possible values.  Suppressing more cells later only widens what a reader
must consider, so earlier rectangles stay valid.

The grand total (and a single row's or column's total, which equals it) is
never chosen as a complementary cell, so that it can be the same number in
every table of a page.  When it is itself below the threshold, or when a
small count has no such rectangle (4 and 4 out of 8), the table is not
:attr:`~ProtectedTable.safe` and the page publishes none of its figures.
``tests/test_statistics_suppression.py`` checks the property with a linear
program on random tables.

The pages use the same idea over several axes (:class:`Cube`,
:class:`CubeProtection`): the district axis, closed by the département,
links every scope's tables, and a rectangle becomes a box
(:mod:`portail.statistics.linked`, issue 21).
"""
import functools
import itertools

PRIMARY = 'primary'
COMPLEMENTARY = 'complementary'


class ProtectedTable:
    """A table of counts with its totals and what may be shown of each cell.

    ``cells[i][j]`` are the counts, ``rows[i]`` and ``columns[j]`` the totals,
    ``total`` the grand total; :meth:`status` of a position (``i`` or ``j``
    may be ``None`` for a total) is ``None`` (shown), :data:`PRIMARY` or
    :data:`COMPLEMENTARY`.
    """

    def __init__(self, cells, threshold):
        self.cells = [list(row) for row in cells]
        self.threshold = threshold
        self.rows = [sum(row) for row in self.cells]
        width = len(self.cells[0]) if self.cells else 0
        self.columns = [sum(row[j] for row in self.cells) for j in range(width)]
        self.total = sum(self.rows)
        m, n = len(self.rows), len(self.columns)
        #: positions equal to the grand total (in a single row or column, its total is)
        self._grand = {(m, n)} | ({(0, n)} if m == 1 else set()) | ({(m, 0)} if n == 1 else set())
        #: the values of the closed table (cells, then totals), row by row
        self._closed = [[self._value(i, j) for j in range(n + 1)] for i in range(m + 1)]
        self._status = {}
        #: False when some small count could not be protected without hiding the
        #: grand total (e.g. 4 and 4 out of 8): then nothing of the table may be shown
        self.safe = self.total >= threshold
        if self.cells and self.columns:
            self._protect()

    # -- the closed table: index len(rows) is the total row, len(columns) the total column

    def _value(self, i, j):
        m, n = len(self.rows), len(self.columns)
        if i == m and j == n:
            return self.total
        if i == m:
            return self.columns[j]
        if j == n:
            return self.rows[i]
        return self.cells[i][j]

    def status(self, i=None, j=None):
        """The status of cell ``(i, j)``; ``None`` stands for a total's index."""
        m, n = len(self.rows), len(self.columns)
        return self._status.get((m if i is None else i, n if j is None else j))

    def _movable(self, direction):
        """``movable[i][j]``: may cell (i, j) change by ``direction`` (with the sign
        of its place in the closed table) and stay within what a reader knows?"""
        m, n, low = len(self.rows), len(self.columns), self.threshold
        movable = []
        for i, values in enumerate(self._closed):
            line = []
            for j, value in enumerate(values):
                status = self._status.get((i, j))
                # a total is minus its cells in the closed table: its change is reversed
                value += -direction if (i == m) != (j == n) else direction
                if status == PRIMARY:
                    line.append(0 <= value < low)
                else:  # complementary, or shown and would become so; never the grand total
                    line.append(value >= low and not (status is None and (i, j) in self._grand))
            movable.append(line)
        return movable

    def _best_rectangle(self, i, j):
        """The corners ``(i, j), (i, l), (k, j), (k, l)`` of the cheapest rectangle
        along which one unit can move (``+1, -1, -1, +1``), or None."""
        m, n = len(self.rows), len(self.columns)
        cost = [[0 if (k, c) in self._status else value for c, value in enumerate(values)]
                for k, values in enumerate(self._closed)]
        best = None
        movable = {1: self._movable(1), -1: self._movable(-1)}
        for direction in (1, -1):
            up, down = movable[direction], movable[-direction]
            if not up[i][j]:
                continue
            rows = [k for k in range(m + 1) if k != i and down[k][j]]
            columns = [c for c in range(n + 1) if c != j and down[i][c]]
            for k in rows:
                for c in columns:
                    if up[k][c]:
                        total = cost[k][j] + cost[i][c] + cost[k][c]
                        if best is None or total < best[0]:
                            best = (total, ((i, j), (i, c), (k, j), (k, c)))
        return None if best is None else best[1]

    def _protect(self):
        m, n = len(self.rows), len(self.columns)
        positions = [(i, j) for i in range(m + 1) for j in range(n + 1)]
        for position in positions:
            if self._value(*position) < self.threshold:
                self._status[position] = PRIMARY
        protected = set()
        primaries = sorted((p for p, s in self._status.items() if s == PRIMARY),
                           key=lambda p: (self._value(*p), p))
        for position in primaries:
            if position in protected:
                continue
            corners = self._best_rectangle(*position)
            if corners is None:
                # no rectangle can move a unit without showing it: publish nothing
                self.safe = False
                corners = tuple(p for p in positions if p not in self._grand)
            for corner in corners:
                self._status.setdefault(corner, COMPLEMENTARY)
            protected.update(corners)

    def shown(self, i=None, j=None):
        """The value of a cell as published: an int, or its status."""
        status = self.status(i, j)
        if status is not None:
            return status
        m, n = len(self.rows), len(self.columns)
        return self._value(m if i is None else i, n if j is None else j)


@functools.lru_cache(maxsize=512)
def _protected(cells, threshold):
    return ProtectedTable(cells, threshold)


def protect(cells, threshold):
    """The :class:`ProtectedTable` of ``cells`` (read it, never change it).

    Protection depends on the counts alone and takes a few milliseconds, a
    statistics page's largest cost, while the counts change far less often
    than pages are read: tables already protected are kept (512 of them).
    """
    return _protected(tuple(tuple(row) for row in cells), threshold)


def protect_line(counts, threshold):
    """A one-dimensional table (counts and their total), as a one-row table."""
    return protect([counts], threshold)


# -- linked tables: counts over several axes, protected together ------------------


class Cube:
    """Counts over several axes (say district × month × state), *closed* by a
    total on each axis that has one: index ``shape[a]`` of axis ``a`` is its
    total.  The district axis's total is the département, so one cube holds
    every table of every scope that shows that dimension, linked as they are.

    ``counts`` maps an inner position (no total index) to its count; every
    closed position's value is :meth:`value`.
    """

    def __init__(self, counts, shape, totals):
        self.shape = tuple(shape)
        self.totals = tuple(totals)
        self.sizes = tuple(n + 1 if t else n for n, t in zip(self.shape, self.totals,
                                                                strict=True))
        self.values = {}
        for index, count in counts.items():
            if not count:
                continue
            options = [(i, n) if t else (i,)
                       for i, n, t in zip(index, self.shape, self.totals, strict=True)]
            for position in itertools.product(*options):
                self.values[position] = self.values.get(position, 0) + count

    def value(self, position):
        return self.values.get(position, 0)

    def positions(self):
        return itertools.product(*(range(size) for size in self.sizes))

    def sign(self, position):
        """-1 for a position at an odd number of totals: in the closed cube a total
        counts minus its cells, so that every line adds up to zero."""
        at_total = sum(1 for a, i in enumerate(position)
                       if self.totals[a] and i == self.shape[a])
        return -1 if at_total % 2 else 1


class CubeProtection:
    """Primary and complementary suppression over a :class:`Cube`.

    The rectangles of :class:`ProtectedTable` become *boxes*: for a small cell
    ``p`` pick, on every axis that has a total, a second index; the ``2**k``
    corners move by one unit with alternating signs (and the sign of their
    place in the closed cube), which keeps every sum along every axis, so
    every corner of a box whose moved values stay within what a reader knows
    has at least two possible values.  Along the district axis, that is what
    keeps a district's small count out of reach of the département's figures:
    the box takes a cell of another district, or of the département, with it.

    - ``fixed``: positions never moved nor hidden (the totals that several cubes
      share and every page shows: a box moving them would have to move every
      cube at once);
    - ``free``: positions that no published page shows (a reader knows only
      that they are not negative);
    - ``needed(p)``: whether small position ``p`` must be protected.

    :attr:`failures` lists the small positions that no box could protect.
    """

    def __init__(self, cube, threshold, fixed=frozenset(), free=frozenset(),
                 needed=lambda position: True):
        self.cube = cube
        self.threshold = threshold
        self.fixed = fixed
        self.free = free
        self.status = {}
        self.failures = []
        small = [p for p in cube.positions() if cube.value(p) < threshold]
        for position in small:
            if position not in free:
                self.status[position] = PRIMARY
        protected = set()
        for position in sorted(small, key=lambda p: (cube.value(p), p)):
            if position in protected or not needed(position):
                continue
            corners = self._best_box(position)
            if corners is None:
                self.failures.append(position)
                continue
            for corner in corners:
                if corner not in free:
                    self.status.setdefault(corner, COMPLEMENTARY)
            protected.update(corners)

    def _movable(self, position, direction):
        """May ``position`` change by ``direction`` (times its sign) and stay
        within what a reader knows of it?"""
        if position in self.fixed:
            return False
        value = self.cube.value(position) + direction * self.cube.sign(position)
        if position in self.free:
            return value >= 0
        if self.status.get(position) == PRIMARY:
            return 0 <= value < self.threshold
        # complementary, or shown and would become so
        return value >= self.threshold

    def _cost(self, position):
        if position in self.status or position in self.free:
            return 0
        return self.cube.value(position)

    def _best_box(self, position):
        """The corners of the cheapest box through ``position``, or None.

        Branch and bound: a box costs at least what its corners next to
        ``position`` (one index changed) cost, so the second indices of each
        axis are tried cheapest first and a branch stops once it cannot beat
        the best box found."""
        cube = self.cube
        axes = [a for a, t in enumerate(cube.totals) if t]
        best = [None, None]  # cost, corners

        def search(direction, choices, rest, level, seconds, bound):
            if level == len(axes):
                corners, cost = [position], bound
                for chosen in itertools.product((False, True), repeat=len(axes)):
                    changed = sum(chosen)
                    if changed < 2:
                        if changed == 1:
                            corners.append(_moved(position, {
                                a: q for a, q, c in zip(axes, seconds, chosen, strict=True)
                                if c}))
                        continue
                    corner = _moved(position, {a: q for a, q, c in
                                               zip(axes, seconds, chosen, strict=True) if c})
                    if not self._movable(corner, -direction if changed % 2 else direction):
                        return
                    cost += self._cost(corner)
                    if best[0] is not None and cost >= best[0]:
                        return
                    corners.append(corner)
                best[:] = [cost, tuple(corners)]
                return
            for q, c in choices[level]:
                if best[0] is not None and bound + c + rest[level + 1] >= best[0]:
                    break
                search(direction, choices, rest, level + 1, seconds + (q,), bound + c)
                if best[0] == 0:
                    return

        for direction in (1, -1):
            if not self._movable(position, direction):
                continue
            choices = []
            for a in axes:
                line = []
                for q in range(cube.sizes[a]):
                    corner = _moved(position, {a: q})
                    if q != position[a] and self._movable(corner, -direction):
                        line.append((q, self._cost(corner)))
                choices.append(sorted(line, key=lambda item: (item[1], item[0])))
            if not all(choices):
                continue
            rest = [0] * (len(axes) + 1)
            for level in range(len(axes) - 1, -1, -1):
                rest[level] = rest[level + 1] + choices[level][0][1]
            search(direction, choices, rest, 0, (), self._cost(position))
            if best[0] == 0:
                break
        return best[1]


def _moved(position, changes):
    return tuple(changes.get(a, i) for a, i in enumerate(position))
