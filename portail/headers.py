"""Security headers on every response (docs/domain.md, *Pages and requests*).

``Cache-Control: no-store`` is sent on every page except static files and
the brand's stylesheet and logo (:func:`allow_caching`), so no page holding
personal data is ever kept by a browser or a proxy.

Both lists are built once at import (:data:`SECURITY_HEADERS`, then
:data:`NO_STORE_HEADERS` where it applies) and added to each response in
one step; a header of the same name that the view set is replaced.
"""
from pyramid.events import NewResponse

CONTENT_SECURITY_POLICY = '; '.join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

SECURITY_HEADERS = {
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
}

#: what a page that may not be kept gets besides :data:`SECURITY_HEADERS`
NO_STORE_HEADERS = {
    'Cache-Control': 'no-store',
    'Pragma': 'no-cache',
}

STATIC_PREFIX = '/static/'
#: set in the environ by a view whose response holds no personal data and may
#: be kept by browsers (the brand's stylesheet and logo: :func:`allow_caching`)
CACHEABLE = 'portail.cacheable'

#: the headers every response gets, as ``(name, value)``, built once
_ALWAYS = tuple(SECURITY_HEADERS.items())
#: the headers of a response that may not be kept, built once
_NOT_KEPT = _ALWAYS + tuple(NO_STORE_HEADERS.items())
#: the lower-case names of each list: a header of the view of the same name
#: is replaced, as ``response.headers[name] = value`` would
_ALWAYS_NAMES = frozenset(name.lower() for name, _value in _ALWAYS)
_NOT_KEPT_NAMES = frozenset(name.lower() for name, _value in _NOT_KEPT)


def allow_caching(request):
    """Let this request's response keep its own ``Cache-Control`` (it holds no
    personal data and its URL changes with its content)."""
    request.environ[CACHEABLE] = True


def add_security_headers(event):
    """Add the prepared headers to the response in one step, replacing any
    header of the same name the view set."""
    request = event.request
    if request.path_info.startswith(STATIC_PREFIX) or request.environ.get(CACHEABLE):
        added, names = _ALWAYS, _ALWAYS_NAMES
    else:
        added, names = _NOT_KEPT, _NOT_KEPT_NAMES
    headerlist = event.response.headerlist
    if any(name.lower() in names for name, _value in headerlist):
        headerlist[:] = [h for h in headerlist if h[0].lower() not in names]
    headerlist.extend(added)


def includeme(config):
    config.add_subscriber(add_security_headers, NewResponse)
