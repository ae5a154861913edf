"""The security headers of every kind of response (portail/headers.py): the
same names and values, prepared once, and ``no-store`` everywhere but on
static files and the brand's files."""
import pytest
from pyramid.response import Response

from portail.headers import add_security_headers
from portail.models.user import Users
from tests.conftest import logged_in

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")
#: what every response carries
ALWAYS = {
    'Content-Security-Policy': CSP,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
}
#: what a response that may not be kept carries besides
NOT_KEPT = {'Cache-Control': 'no-store', 'Pragma': 'no-cache'}


def explode(self, *args):
    raise RuntimeError('secret internals')


#: kind of response -> (login or None, path, status, kept by browsers)
KINDS = {
    'page': ('worker1', '/', 200, False),
    'public page': (None, '/notice', 200, False),
    'login page': (None, '/login', 200, False),
    'redirect': (None, '/journal', 302, False),
    '404': ('worker1', '/nowhere', 404, False),
    '403': ('worker1', '/users/', 403, False),
    'error page': ('admin1', '/users/', 500, False),
    'static file': (None, '/static/portail.css', 200, True),
    'brand css': (None, '/brand.css', 200, True),
    'brand logo': (None, '/brand-logo', 200, True),
}


@pytest.mark.parametrize('kind', sorted(KINDS))
def test_every_kind_of_response_carries_the_headers(portal, monkeypatch, kind):
    login, path, status, kept = KINDS[kind]
    browser = logged_in(portal, login) if login else portal.browser()
    if kind == 'error page':
        monkeypatch.setattr(Users, 'page', explode)
    response = browser.get(path, status=status)
    for name, value in ALWAYS.items():
        assert response.headers.getall(name) == [value], (kind, name)
    if kept:
        assert 'no-store' not in response.headers.get('Cache-Control', ''), kind
        assert 'Pragma' not in response.headers, kind
    else:
        for name, value in NOT_KEPT.items():
            assert response.headers.getall(name) == [value], (kind, name)


def test_the_brand_files_keep_their_own_cache_control(portal):
    response = portal.browser().get('/brand.css')
    assert 'public' in response.headers['Cache-Control']
    assert 'max-age' in response.headers['Cache-Control']


class _Event:
    def __init__(self, request, response):
        self.request, self.response = request, response


def test_a_header_the_view_set_is_replaced_not_doubled():
    from pyramid.request import Request

    response = Response('x')
    response.headers['X-Frame-Options'] = 'SAMEORIGIN'
    response.headers['cache-control'] = 'max-age=60'
    response.headers['X-Other'] = 'kept'
    add_security_headers(_Event(Request.blank('/somewhere'), response))
    assert response.headers.getall('X-Frame-Options') == ['DENY']
    assert response.headers.getall('Cache-Control') == ['no-store']
    assert response.headers['X-Other'] == 'kept'
    static = Response('x')
    static.headers['Cache-Control'] = 'max-age=60'
    add_security_headers(_Event(Request.blank('/static/portail.css'), static))
    assert static.headers.getall('Cache-Control') == ['max-age=60']
    assert static.headers['X-Frame-Options'] == 'DENY'
