"""A real RFC 3161 time-stamping authority on 127.0.0.1, for the tests.

:class:`LocalTSA` makes a CA and a TSA certificate (critical
``timeStamping`` usage) with the ``openssl`` command in a folder, then
serves RFC 3161 over HTTP: each POSTed ``TimeStampReq`` is answered by
``openssl ts -reply`` (OpenSSL's own TSA; it has no HTTP front of its own,
so a minimal ``http.server`` handler passes it the request and returns its
answer).
"""
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

CONFIG = """\
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ ca_ext ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ tsa_ext ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
serial = {folder}/serial
crypto_device = builtin
signer_cert = {folder}/tsa.crt
certs = {folder}/tsa.crt
signer_key = {folder}/tsa.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.1
other_policies = 1.3.6.1.4.1.99999.2
digests = sha256, sha512
accuracy = secs:1
ess_cert_id_alg = sha256
ess_cert_id_chain = no
ordering = no
tsa_name = no
"""


def openssl(*args, cwd):
    done = subprocess.run(['openssl', *args], cwd=cwd, capture_output=True, check=False)  # noqa: S603, S607
    if done.returncode != 0:
        raise RuntimeError(done.stderr.decode(errors='replace'))
    return done.stdout


class LocalTSA:
    """A CA, a TSA certificate signed by it, and an HTTP TSA using them."""

    def __init__(self, folder, name='Portail test TSA'):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.config = self.folder / 'tsa.cnf'
        self.config.write_text(CONFIG.format(folder=self.folder))
        self.ca_file = self.folder / 'ca.crt'
        self.requests = 0
        self.refuse = False
        self._lock = threading.Lock()
        ec = ('-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes')
        openssl('req', '-config', str(self.config), '-x509', '-new', *ec, '-keyout', 'ca.key',
                '-out', 'ca.crt', '-days', '3650', '-subj', f'/CN={name} CA',
                '-extensions', 'ca_ext', cwd=self.folder)
        openssl('req', '-config', str(self.config), '-new', *ec, '-keyout', 'tsa.key',
                '-out', 'tsa.csr', '-subj', f'/CN={name}', cwd=self.folder)
        openssl('x509', '-req', '-in', 'tsa.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key',
                '-CAcreateserial', '-out', 'tsa.crt', '-days', '3650', '-extfile',
                str(self.config), '-extensions', 'tsa_ext', cwd=self.folder)
        (self.folder / 'serial').write_text('01\n')
        self.server = None

    def reply(self, query):
        """``openssl ts -reply`` to the DER ``query``."""
        with self._lock:  # one at a time: openssl updates the serial file
            self.requests += 1
            (self.folder / 'query.tsq').write_bytes(query)
            openssl('ts', '-reply', '-config', str(self.config), '-queryfile', 'query.tsq',
                    '-out', 'reply.tsr', cwd=self.folder)
            return (self.folder / 'reply.tsr').read_bytes()

    def start(self):
        tsa = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                query = self.rfile.read(int(self.headers.get('Content-Length', 0)))
                if tsa.refuse or self.headers.get('Content-Type') != 'application/timestamp-query':
                    self.send_error(503)
                    return
                body = tsa.reply(query)
                self.send_response(200)
                self.send_header('Content-Type', 'application/timestamp-reply')
                self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    @property
    def url(self):
        return f'http://127.0.0.1:{self.server.server_address[1]}/tsa'

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
