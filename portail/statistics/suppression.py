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
"""
import functools

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
