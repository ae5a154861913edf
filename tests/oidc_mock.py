"""A real OpenID Connect provider for the tests: ``oidc-provider-mock``
(PyPI) in its own process, on a free port of 127.0.0.1.

It is a real provider (authlib's authorization server): discovery document,
JWKS with an RSA key made at its start, authorization code flow with PKCE
and nonce, single-use codes, signed ID tokens whose ``exp`` is
``token_max_age`` seconds after their ``iat`` (real time).  Accounts are
registered through its HTTP API (``PUT /users/<sub>`` with the claims);
its authorization page is a form whose ``sub`` field says who logs in.

:class:`TamperingProxy` stands between the portal and a provider for the
bad-signature test: it forwards every request unchanged, but, when told
to, replaces the ID token of the token endpoint's answer by one whose
claims are the provider's own, signed with another RSA key (under the
provider's ``kid``, when its tokens name one) (what a man in the middle, or a provider whose key was
stolen and replaced, would send).  The signature is a real RS256 signature,
just not the provider's.  With :attr:`publish`, the proxy adds that key to
the provider's JWKS under :attr:`kid`: the provider has rotated its keys.
"""
import json
import os
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import requests

from tests import processes


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class MockProvider:
    """``oidc-provider-mock`` on ``http://127.0.0.1:<port>`` until :meth:`stop`."""

    def __init__(self, token_max_age=120, port=None):
        self.port = port or free_port()
        self.url = f'http://127.0.0.1:{self.port}'
        self.token_max_age = token_max_age
        self.process = None

    def start(self, timeout=30):
        env = dict(os.environ, NO_COLOR='1', PYTHONWARNINGS='ignore')
        self.process = subprocess.Popen(  # noqa: S603 (our own interpreter)
            [sys.executable, '-m', 'oidc_provider_mock', '--port', str(self.port),
             '--host', '127.0.0.1', '--require-nonce', '--token-max-age',
             str(self.token_max_age)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f'oidc-provider-mock ended: {self.process.returncode}')
            try:
                if requests.get(self.url + '/.well-known/openid-configuration',
                                timeout=1).ok:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError('oidc-provider-mock did not start')

    def stop(self):
        processes.stop(self.process)

    def add_user(self, sub, **claims):
        """Register the provider's account ``sub`` with ``claims``."""
        requests.put(f'{self.url}/users/{sub}', json=claims, timeout=5).raise_for_status()

    def authorize(self, location, sub):
        """Log ``sub`` in at the provider's authorization page ``location``
        (where the portal sent the browser); return the callback URL the
        provider sends the browser back to."""
        page = requests.get(location, timeout=5)
        assert page.status_code == 200, page.text
        answer = requests.post(location, data={'sub': sub}, allow_redirects=False, timeout=5)
        assert answer.status_code in (302, 303), answer.text
        return answer.headers['Location']


def callback_path(url):
    """The path and query of a callback URL (webtest's browser takes those)."""
    parts = urlsplit(url)
    return f'{parts.path}?{parts.query}'


def query_of(url):
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


class TamperingProxy:
    """Forward ``http://127.0.0.1:<port>`` to ``target``; with :attr:`tamper`
    set, re-sign the ID tokens of the token endpoint with another key."""

    def __init__(self, target):
        from joserfc.jwk import RSAKey

        self.target = target
        self.tamper = False
        #: the ``kid`` of the re-signed tokens (default: the provider's, if any)
        self.kid = None
        #: publish the other key in the provider's JWKS too (a key rotation)
        self.publish = False
        #: the paths requested, in order
        self.paths = []
        self.attacker_key = RSAKey.generate_key(2048)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _forward(self):
                length = int(self.headers.get('Content-Length') or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ('content-length', 'connection')}
                answer = requests.request(
                    self.command, proxy.target + self.path, headers=headers, data=body,
                    allow_redirects=False, timeout=10)
                content = answer.content
                path = urlsplit(self.path).path
                proxy.paths.append(path)
                if proxy.tamper and path == '/oauth2/token' and answer.ok:
                    content = proxy.resign(content)
                if proxy.publish and path == '/jwks' and answer.ok:
                    content = proxy.with_other_key(content)
                self.send_response(answer.status_code)
                for name, value in answer.headers.items():
                    if name.lower() not in ('content-length', 'transfer-encoding',
                                            'connection', 'content-encoding'):
                        self.send_header(name, value)
                self.send_header('Content-Length', str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = do_PUT = _forward

        self.server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.url = f'http://127.0.0.1:{self.server.server_address[1]}'
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def resign(self, content):
        from joserfc import jwt

        token = json.loads(content)
        header_part, claims_part, _sig = token['id_token'].split('.')
        header = json.loads(_b64decode(header_part))
        claims = json.loads(_b64decode(claims_part))
        forged = {'alg': header['alg'], 'typ': 'JWT'}
        if self.kid or 'kid' in header:
            forged['kid'] = self.kid or header['kid']
        token['id_token'] = jwt.encode(forged, claims, self.attacker_key)
        return json.dumps(token).encode()

    def with_other_key(self, content):
        keys = json.loads(content)
        public = self.attacker_key.as_dict(private=False)
        public['kid'] = self.kid
        keys['keys'].append(public)
        return json.dumps(keys).encode()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def _b64decode(part):
    import base64

    return base64.urlsafe_b64decode(part + '=' * (-len(part) % 4))
