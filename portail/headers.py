"""Security headers on every response (docs/domain.md, *Pages and requests*).

``Cache-Control: no-store`` is sent on every page except static files and
the brand's stylesheet and logo (:func:`allow_caching`), so no page holding
personal data is ever kept by a browser or a proxy.
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

STATIC_PREFIX = '/static/'
#: set in the environ by a view whose response holds no personal data and may
#: be kept by browsers (the brand's stylesheet and logo: :func:`allow_caching`)
CACHEABLE = 'portail.cacheable'


def allow_caching(request):
    """Let this request's response keep its own ``Cache-Control`` (it holds no
    personal data and its URL changes with its content)."""
    request.environ[CACHEABLE] = True


def add_security_headers(event):
    response = event.response
    for name, value in SECURITY_HEADERS.items():
        response.headers[name] = value
    request = event.request
    if not (request.path_info.startswith(STATIC_PREFIX) or request.environ.get(CACHEABLE)):
        response.headers['Cache-Control'] = 'no-store'
        response.headers['Pragma'] = 'no-cache'


def includeme(config):
    config.add_subscriber(add_security_headers, NewResponse)
