"""One-shot messages shown on the next page, carried by a cookie.

A message is a fixed string of the catalog (with a small mapping: a date, a
name), so it needs no storage: the response that queues it sets the cookie
``portail_flash`` and the next page shown reads it and clears it.  Keeping
messages out of the sessions database removes a write (and its conflicts
between the tabs of one user) from every form, and lets any page, error pages
included, render without a database.

The cookie is sealed with an HMAC keyed by the session's CSRF token, a secret
of the server-side session that the browser holds only inside the pages: a
cookie forged or replayed from another session is ignored, so nobody can make
the portal show a text of their choosing.  When the request that shows the
messages rotates the session (its privileges changed, e.g. the password just
changed), the token they were sealed with is the one it replaced.
"""
import base64
import binascii
import hashlib
import hmac
import json

from pyramid.i18n import TranslationString
from webob.cookies import make_cookie

from portail.auth.sessions import PREVIOUS_CSRF_TOKEN, current_identity

COOKIE_NAME = 'portail_flash'
#: at most this many messages travel (a page queues one or two)
MAX_MESSAGES = 5
#: a cookie older than this is dropped by the browser (seconds)
MAX_AGE = 300
KINDS = ('info', 'error')

_OUT = '_portail_flash_out'


def flash(request, message, kind='info'):
    """Queue ``message`` (a translation string) for the next page of this session."""
    identity = current_identity(request)
    if identity is not None:
        flash_session(request, identity.session, message, kind)


def flash_session(request, session, message, kind='info'):
    """Queue ``message`` for ``session`` (used at login, before the cookie exists)."""
    out = request.__dict__.get(_OUT)
    if out is None:
        out = request.__dict__[_OUT] = {'key': session.csrf_token,
                                        'messages': _read(request, session.csrf_token)}
        request.add_response_callback(_send)
    out['key'] = session.csrf_token
    mapping = {name: str(value) for name, value in (getattr(message, 'mapping', None)
                                                     or {}).items()}
    out['messages'].append([kind if kind in KINDS else 'info', str(message), mapping])


def pop_flash(request):
    """Return the ``(kind, text)`` messages sent to this page, and clear them."""
    if COOKIE_NAME not in request.cookies:
        return []
    if _OUT not in request.__dict__:
        request.add_response_callback(_clear)
    identity = current_identity(request)
    if identity is None:
        return []
    messages = _read(request, identity.session.csrf_token)
    previous = request.environ.get(PREVIOUS_CSRF_TOKEN)
    if not messages and previous:  # sealed before this request rotated the session
        messages = _read(request, previous)
    translate = request.localizer.translate
    return [(kind, translate(TranslationString(msgid, domain='portail', mapping=mapping)))
            for kind, msgid, mapping in messages]


def _seal(key, payload):
    return hmac.new(key.encode('utf-8'), payload, hashlib.sha256).hexdigest()


def _read(request, key):
    """The messages of the request's cookie if its seal holds under ``key``."""
    value = request.cookies.get(COOKIE_NAME, '')
    data, _dot, seal = value.rpartition('.')
    try:
        payload = base64.urlsafe_b64decode(data.encode('ascii'))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return []
    if not data or not hmac.compare_digest(_seal(key, payload), seal):
        return []
    try:
        messages = json.loads(payload)
    except ValueError:
        return []
    return [m for m in messages if _well_formed(m)][:MAX_MESSAGES]


def _well_formed(message):
    return (isinstance(message, list) and len(message) == 3 and message[0] in KINDS
            and isinstance(message[1], str) and isinstance(message[2], dict)
            and all(isinstance(v, str) for v in message[2].values()))


def _cookie(request, value, max_age):
    secure = request.registry.settings['portail.secure_cookies']
    return make_cookie(COOKIE_NAME, value, max_age=max_age, path='/', httponly=True,
                       samesite='strict', secure=secure)


def _send(request, response):
    """Set the cookie of the queued messages (only on a page that did not fail)."""
    if request.exception is not None:
        return
    out = request.__dict__[_OUT]
    payload = json.dumps(out['messages'][-MAX_MESSAGES:], ensure_ascii=True,
                         separators=(',', ':')).encode('ascii')
    value = base64.urlsafe_b64encode(payload).decode('ascii') + '.' + _seal(out['key'], payload)
    response.headerlist.append(('Set-Cookie', _cookie(request, value, MAX_AGE)))


def _clear(request, response):
    if _OUT not in request.__dict__:
        response.headerlist.append(('Set-Cookie', _cookie(request, '', 0)))
