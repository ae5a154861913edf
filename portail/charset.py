"""Requests the portal cannot read as UTF-8 are refused (issue 13).

The portal speaks UTF-8 only.  An address (path or query string) whose
percent-decoded bytes are not UTF-8 cannot be decoded by WebOb nor by
Pyramid's traversal, and before this check gave a bare 500; a form whose
values are not UTF-8 was silently decoded with replacement characters
(``U+FFFD``) and stored so.  Both are refused with :class:`BadEncoding`, a
French 400 page.

The address is checked in the WSGI environ, before Pyramid builds anything
from it (:func:`address_readable`); the form body once it is read and
capped (:func:`body_readable`).  The portal has no file upload, so a
``multipart/form-data`` body holds text fields only and must be UTF-8 as a
whole.
"""
import re
from urllib.parse import unquote_to_bytes

from portail.badinput import BadInput
from portail.i18n import _

_SEPARATORS = re.compile(rb'[&;=]')
FORM_TYPES = ('application/x-www-form-urlencoded', 'multipart/form-data')


class BadEncoding(BadInput):
    status = 400
    title = _('Unreadable address or form')
    message = _('The address or the form holds characters the portal cannot read. Check '
                'the link, or go back and type the text again: nothing was changed.')


def _utf8(data):
    try:
        data.decode('utf-8')
    except UnicodeDecodeError:
        return False
    return True


def query_readable(query):
    """Whether every name and value of ``query`` (bytes of a query string or
    of an urlencoded body) is UTF-8 once percent-decoded."""
    return all(_utf8(unquote_to_bytes(part.replace(b'+', b' ')))
               for part in _SEPARATORS.split(query))


def address_readable(environ):
    """Whether the path and the query string of ``environ`` are UTF-8.

    PEP 3333 gives them as ``str`` holding the raw bytes as latin-1; the
    path is percent-decoded already, the query string is not."""
    try:
        path = environ.get('PATH_INFO', '').encode('latin-1')
        query = environ.get('QUERY_STRING', '').encode('latin-1')
    except UnicodeEncodeError:  # not a PEP 3333 string: no server gives this
        return False
    return _utf8(path) and query_readable(query)


def body_readable(request):
    """Whether the form in ``request``'s body (if any) is UTF-8."""
    content_type = request.content_type
    if request.method not in ('POST', 'PUT', 'PATCH') or content_type not in FORM_TYPES:
        return True
    body = request.body
    if content_type == FORM_TYPES[0]:
        return query_readable(body)
    return _utf8(body)
