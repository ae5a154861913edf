"""Delivering the feed: the items after a cursor, each journaled on its
dossier as a transmission (docs/feed.md).

Used by the HTTP endpoint (:mod:`portail.views.feed`) and by the
``portail-feed`` command alike.  Every item delivered is journaled -- in
the request's transaction, through the outbox (:mod:`portail.journal.record`)
-- on the chain of its dossier, action :data:`ACTION`, by the API account
(or the system, for the command): the person sees in their journal what was
sent to the departmental system, and when.  A cursor read again delivers
and journals its items again: the journal says what went out, every time.
"""
from portail.feed.items import deliverable
from portail.feed.log import feed_log_of
from portail.journal.record import record
from portail.validators import MAX_DIGITS, ascii_int

#: the journal's action of a delivered item
ACTION = 'transmission:feed'
#: items per page: by default, and at most
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
#: the largest cursor a query may give (as many digits as any number read)
MAX_CURSOR = 10 ** MAX_DIGITS - 1


class BadParameter(ValueError):
    """A cursor or a limit that is not a valid number."""


def parse(after, limit):
    """``(cursor, limit)`` from the text of the parameters (``None``: not
    given), in ASCII digits (:func:`~portail.validators.ascii_int`); raise
    :class:`BadParameter` naming the wrong one."""
    cursor = 0 if after in (None, '') else ascii_int(after, 0, MAX_CURSOR)
    if cursor is None:
        raise BadParameter('after')
    count = DEFAULT_LIMIT if limit in (None, '') else ascii_int(limit, 1, MAX_LIMIT)
    if count is None:
        raise BadParameter('limit')
    return cursor, count


def deliver(request, cursor, limit, uid=None):
    """``{"items": [...], "cursor": n, "more": bool}``: up to ``limit`` items
    after ``cursor``, each journaled on its dossier.  ``cursor`` is the
    number of the last item delivered (the one given, when none is)."""
    feed = feed_log_of(request.root._p_jar.root())
    found, more = feed.after(cursor, limit) if feed is not None else ([], False)
    items = []
    for seq, item in found:
        delivered = deliverable(request.root, seq, item)
        items.append(delivered)
        if delivered['state'] != 'erased':
            record(request, item[0], f'contract:{item[1]}', ACTION, 2,
                   detail=f'{seq}:{item[2]}', user=uid)
    return {'items': items, 'cursor': found[-1][0] if found else cursor, 'more': more}
