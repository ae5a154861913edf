"""Hostile requests over a real socket, to waitress with the settings of the
ini files (issue 13): the cases where the server itself decodes the address
or buffers the body, and a client that speaks HTTP/1.1 by hand."""
import configparser
import http.client
import socket
from pathlib import Path

import pytest

from portail.headers import SECURITY_HEADERS
from tests.browser.server import LiveServer
from tests.conftest import Portal

ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024


def waitress_options(ini):
    """The waitress settings of ``ini`` that bound what a client may send."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(ROOT / ini)
    server = parser['server:main']
    return {key: int(server[key]) for key in ('max_request_body_size',) if key in server}


@pytest.fixture(scope='module')
def live():
    portal = Portal().initialise()
    server = LiveServer(portal.wsgi, **waitress_options('production.ini'))
    portal.registry.settings['portail.public_url'] = server.url
    portal.port = int(server.url.rsplit(':', 1)[1])
    yield portal
    server.stop()


def send(live, method, path, body=None, headers=None, **kw):
    conn = http.client.HTTPConnection('127.0.0.1', live.port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers or {}, **kw)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode('utf-8')
    finally:
        conn.close()


def assert_french_page(answer, status, title):
    code, headers, text = answer
    assert code == status, (code, text[:500])
    assert '<html lang="fr">' in text and f'<h1>{title}</h1>' in text
    assert 'Traceback' not in text
    for name, value in SECURITY_HEADERS.items():
        assert headers[name] == value
    assert headers['Cache-Control'] == 'no-store'


def test_the_ini_files_bound_the_body_waitress_buffers():
    for ini in ('development.ini', 'production.ini', 'zeo.ini', 'postgres.ini'):
        assert waitress_options(ini)['max_request_body_size'] == 32 * MIB, ini


@pytest.mark.parametrize('path', ['/dossiers/%FF/', '/%C3%28', '/login?reason=%FF',
                                  '/statistics/?year=%FF'])
def test_an_address_that_is_not_utf8(live, path):
    assert_french_page(send(live, 'GET', path), 400, 'Adresse ou formulaire illisible')


def test_a_20_mb_post_gets_the_french_413(live):
    body = b'login=' + b'A' * (20 * MIB) + b'&password=x'
    answer = send(live, 'POST', '/login', body,
                  {'Content-Type': 'application/x-www-form-urlencoded'})
    assert_french_page(answer, 413, 'Envoi trop volumineux')
    assert 'AAAAAAAAAA' not in answer[2]


def test_a_chunked_body_over_the_cap_gets_the_french_413(live):
    chunks = (b'A' * 65536 for _ in range(2 * MIB // 65536))
    answer = send(live, 'POST', '/login', chunks,
                  {'Content-Type': 'application/x-www-form-urlencoded',
                   'Transfer-Encoding': 'chunked'}, encode_chunked=True)
    assert_french_page(answer, 413, 'Envoi trop volumineux')


def test_a_body_over_the_waitress_limit_is_refused_unread(live):
    """Above ``max_request_body_size`` waitress answers from the header alone."""
    with socket.create_connection(('127.0.0.1', live.port), timeout=30) as sock:
        sock.sendall(b'POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\n'
                     b'Content-Type: application/x-www-form-urlencoded\r\n'
                     b'Content-Length: %d\r\n\r\n' % (64 * MIB))
        status_line = sock.makefile('rb').readline()
    assert status_line.startswith(b'HTTP/1.1 413')


def test_a_spoofed_host_header(live):
    code, headers, text = send(live, 'GET', '/login', headers={'Host': 'evil.example'})
    assert code == 200 and 'evil.example' not in text
    assert f'action="{live.registry.settings["portail.public_url"]}/login"' in text
    code, headers, _text = send(live, 'GET', '/users/', headers={'Host': 'evil.example'})
    assert code == 302 and headers['Location'].startswith(
        live.registry.settings['portail.public_url'] + '/login')
