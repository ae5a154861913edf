"""The portal's public address, ``portail.public_url`` (issue 13).

Every link, form action and redirect of the portal is built by WebOb and
Pyramid from the WSGI environ: the scheme, the ``Host`` header and
``SCRIPT_NAME``.  The ``Host`` header is whatever the client sends, so a
spoofed one used to build the login form's action and the redirects.  The
portal therefore overwrites those environ values on every request with the
address people type, read from the setting (:func:`apply`); the ``Host``
header is never used.

The default, :data:`DEFAULT`, is the address ``make run`` serves
(``development.ini``); production sets its own (``production.ini``).  A
public URL with a path (``https://example.org/portail``) becomes
``SCRIPT_NAME``: the server must then strip that prefix from the paths it
passes on (waitress: ``url_prefix``).
"""
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

#: the address of ``make run`` (``development.ini`` listens on it)
DEFAULT = 'http://127.0.0.1:6543'
DEFAULT_PORTS = {'http': '80', 'https': '443'}


@dataclass(frozen=True)
class PublicURL:
    """The environ values of a public URL."""

    scheme: str
    host: str  # the Host header: name[:port]
    server_name: str
    server_port: str
    script_name: str


def parse_public_url(text):
    """``text`` as a normalised public URL (no trailing slash), or
    ``ValueError`` saying why it cannot be one."""
    text = (text or '').strip()
    if not text.isascii() or any(c.isspace() or ord(c) < 32 for c in text):
        raise ValueError(f'portail.public_url {text!r}: ASCII without spaces expected')
    try:
        parts = urlsplit(text)
        port = parts.port  # a port that is not a number raises ValueError
    except ValueError as error:
        raise ValueError(f'portail.public_url {text!r}: {error}') from None
    if (parts.scheme not in DEFAULT_PORTS or not parts.hostname or port == 0 or parts.query
            or parts.fragment or parts.username or parts.password
            or '%' in parts.path or '//' in parts.path):
        raise ValueError(f'portail.public_url {text!r}: expected http(s)://host[:port][/path]')
    return f'{parts.scheme}://{parts.netloc.lower()}{parts.path.rstrip("/")}'


@lru_cache(maxsize=8)
def public_url(text):
    """The :class:`PublicURL` of a normalised public URL ``text``."""
    parts = urlsplit(text)
    port = str(parts.port) if parts.port else DEFAULT_PORTS[parts.scheme]
    return PublicURL(parts.scheme, parts.netloc, parts.hostname, port, parts.path)


def apply(environ, text):
    """Make ``environ`` say the request came to the public URL ``text``."""
    url = public_url(text)
    environ['wsgi.url_scheme'] = url.scheme
    environ['HTTP_HOST'] = url.host
    environ['SERVER_NAME'] = url.server_name
    environ['SERVER_PORT'] = url.server_port
    environ['SCRIPT_NAME'] = url.script_name
