"""The size of a request's body is capped (issue 13).

``portail.max_request_bytes`` (1 MiB by default) is far above any form of
the portal: the longest, a contract, holds a few thousand characters.  A
larger body is refused with :class:`RequestTooLarge`, a French 413 page,
before anything reads it: ``pyramid_retry`` copies every body to make it
seekable, and WebOb would parse it, so the cap is applied in the WSGI
environ (:func:`cap_body`), in front of the Pyramid router.

A body announced by ``Content-Length`` is refused on that length, unread.
A body without a length (``Transfer-Encoding: chunked`` under a server that
passes it through, with ``wsgi.input_terminated``) is read up to one byte
past the cap, then refused, or kept in memory with its length set.
waitress itself de-chunks bodies and sets their length; its own
``max_request_body_size`` (in the ini files) stops absurd bodies before
they are even buffered, with its own plain-text 413.
"""
import io

from portail.badinput import BadInput
from portail.i18n import _

#: the default of ``portail.max_request_bytes``
DEFAULT_MAX_REQUEST_BYTES = 1024 * 1024
#: read size when draining a body without a length
CHUNK = 64 * 1024


class RequestTooLarge(BadInput):
    status = 413
    title = _('Request too large')

    def __init__(self, max_bytes):
        super().__init__(_(
            'What was sent is larger than the ${size} MB the portal accepts. Shorten the '
            'text and try again: nothing was changed.',
            mapping={'size': megabytes(max_bytes)}))


class BadLength(BadInput):
    """A ``Content-Length`` that is not a number."""


def megabytes(count):
    """``count`` bytes in megabytes (of 1024 × 1024 bytes), at most three
    decimals: ``1048576`` → ``1``, ``524288`` → ``0.5``, ``1000`` → ``0.001``."""
    value = max(round(count / (1024 * 1024), 3), 0.001)
    return f'{value:.3f}'.rstrip('0').rstrip('.')


def drop_body(environ):
    """Replace the body of ``environ`` by an empty one."""
    environ['wsgi.input'] = io.BytesIO()
    environ['CONTENT_LENGTH'] = '0'
    environ.pop('CONTENT_TYPE', None)


def cap_body(environ, max_bytes):
    """Return ``None`` if the body of ``environ`` is within ``max_bytes``, else
    the :class:`BadInput` to raise; a refused body is replaced by an empty one."""
    length = environ.get('CONTENT_LENGTH', '')
    if length:
        if not (length.isascii() and length.isdigit()):
            drop_body(environ)
            return BadLength()
        digits = length.lstrip('0') or '0'  # int() gives up on thousands of digits
        if len(digits) > len(str(max_bytes)) or int(digits) > max_bytes:
            drop_body(environ)
            return RequestTooLarge(max_bytes)
        return None
    if not environ.get('wsgi.input_terminated'):
        return None  # no length, not terminated: WSGI says there is no body
    stream = environ['wsgi.input']
    body = bytearray()
    while len(body) <= max_bytes:
        chunk = stream.read(min(CHUNK, max_bytes + 1 - len(body)))
        if not chunk:
            break
        body += chunk
    if len(body) > max_bytes:
        drop_body(environ)
        return RequestTooLarge(max_bytes)
    environ['wsgi.input'] = io.BytesIO(bytes(body))
    environ['CONTENT_LENGTH'] = str(len(body))
    return None
