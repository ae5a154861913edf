"""Pages of the listings that grow with the département (entry queue, CLI worklist).

A listing shows at most :data:`PAGE_SIZE` rows.  The page is chosen by a
number in the query string (``?page=2``): a position in the list, never an
id or a name, so no personal data reaches a URL (docs/domain.md, *Security rules*).  A number that
is missing, not a number, below 1 or beyond the last page is brought back to
the nearest page that exists, so a stale link (the queue shrank meanwhile)
still lands on a page.
"""
from dataclasses import dataclass

from portail.validators import MAX_DIGITS, ascii_int

#: rows per page of a listing
PAGE_SIZE = 50


@dataclass(frozen=True)
class Page:
    """Page ``number`` (from 1) of ``count`` rows, ``size`` rows a page."""

    number: int
    count: int
    size: int = PAGE_SIZE

    @property
    def pages(self):
        """How many pages there are (1 for an empty list)."""
        return max(1, -(-self.count // self.size))

    @property
    def start(self):
        """The position of the page's first row."""
        return (self.number - 1) * self.size

    @property
    def previous(self):
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self):
        return self.number + 1 if self.number < self.pages else None


#: the page asked for by a number of more than MAX_DIGITS digits: beyond the last
BEYOND = 10 ** MAX_DIGITS


def page_number(raw):
    """The page number asked for in ``raw`` (a query-string value), or 1.

    Only ASCII digits make a number (``int()`` also reads ``'٣'``, and gives
    up on thousands of digits); a number of more than
    :data:`~portail.validators.MAX_DIGITS` digits is beyond the last page."""
    raw = raw.strip() if isinstance(raw, str) else ''
    if not (raw.isascii() and raw.isdigit()):
        return 1
    return ascii_int(raw, 0, BEYOND) if len(raw) <= MAX_DIGITS else BEYOND


def requested_page(request, param, count, size=PAGE_SIZE):
    """The :class:`Page` that ``request`` asks for in ``param``, brought
    within 1 and the last page of ``count`` rows."""
    last = Page(1, count, size).pages
    return Page(min(max(page_number(request.GET.get(param)), 1), last), count, size)


@dataclass(frozen=True)
class Listing:
    """One page of a listing: its rows, the :class:`Page`, and the URLs of
    the previous and next pages (``None`` at either end)."""

    rows: list
    page: Page
    previous_url: str = None
    next_url: str = None


def listing(rows, page, url):
    """A :class:`Listing` of ``rows`` on ``page``; ``url(number)`` is the
    address of another page of the same listing."""
    return Listing(rows, page,
                   url(page.previous) if page.previous else None,
                   url(page.next) if page.next else None)
