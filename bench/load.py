"""Concurrent HTTP clients: keep-alive connections logged in as real users.

A :class:`Client` is one browser: one ``http.client`` connection (reopened
if the server closes it), its cookies, and the CSRF token of its session.
:func:`run_phase` runs one operation on many clients at once, each in its
own thread, bounded by a total count of requests and by a time limit, and
returns every latency.
"""
import http.client
import re
import threading
import time
import urllib.parse
from dataclasses import dataclass, field

import pyotp

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
SERIAL_RE = re.compile(r'name="serial" value="([^"]+)"')


class HTTPError(Exception):
    pass


class Client:
    def __init__(self, host, port, timeout=60):
        self.host, self.port, self.timeout = host, port, timeout
        self.conn = None
        self.cookies = {}
        self.csrf = None
        self.login_name = None

    def _connection(self):
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        return self.conn

    def request(self, method, path, form=None):
        """Return ``(status, body text, headers)``; follows no redirect."""
        headers = {}
        body = None
        if self.cookies:
            headers['Cookie'] = '; '.join(f'{k}={v}' for k, v in self.cookies.items())
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            headers['Content-Type'] = 'application/x-www-form-urlencoded'
        for attempt in (1, 2):
            conn = self._connection()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        for header in response.msg.get_all('Set-Cookie') or ():
            name, _, rest = header.partition('=')
            value = rest.split(';', 1)[0]
            if 'Max-Age=0' in header or 'expires=Thu, 01 Jan 1970' in header:
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value
        if response.getheader('Connection', '').lower() == 'close':
            conn.close()
            self.conn = None
        return response.status, data.decode('utf-8', 'replace'), response

    def get(self, path):
        return self.request('GET', path)

    def post(self, path, form):
        return self.request('POST', path, dict(form, csrf_token=self.csrf))

    def login(self, login, password, totp_secret=None):
        """Log in through the login form, as a browser does; keep the session's token.
        When the second factor's code is asked, type the one of ``totp_secret``
        now (the portal's clock is the real one)."""
        status, page, _ = self.get('/login')
        token = CSRF_RE.search(page).group(1)
        status, page, response = self.request(
            'POST', '/login', {'login': login, 'password': password, 'csrf_token': token})
        if status == 303 and response.getheader('Location', '').endswith('/login-code'):
            if totp_secret is None:
                raise HTTPError(f'login of {login}: a second factor code is asked')
            status, page, response = self.request('POST', '/login-code', {
                'code': pyotp.TOTP(totp_secret).now(), 'csrf_token': token})
        if status != 303:
            raise HTTPError(f'login of {login} failed: {status}')
        status, page, _ = self.get('/')
        if status != 200:
            raise HTTPError(f'home of {login} after login: {status}')
        self.csrf = CSRF_RE.search(page).group(1)
        self.login_name = login
        return page

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


@dataclass
class PhaseResult:
    name: str
    latencies: list = field(default_factory=list)
    elapsed: float = 0.0
    errors: int = 0
    statuses: dict = field(default_factory=dict)
    first_error: str = ''


def run_phase(name, clients, operation, max_requests, max_seconds, warmup=2):
    """Run ``operation(client, i)`` on every client concurrently.

    ``operation`` returns the HTTP status; it is an error unless it is in
    ``operation.expected`` (default ``{200}``).  Each client first runs
    ``warmup`` unmeasured requests; then all start together and stop when
    ``max_requests`` are done in total or ``max_seconds`` have passed.
    """
    expected = getattr(operation, 'expected', {200})
    result = PhaseResult(name)
    lock = threading.Lock()
    budget = [max_requests]
    clock = {}

    def start():
        clock['began'] = time.perf_counter()
        clock['deadline'] = clock['began'] + max_seconds

    start_barrier = threading.Barrier(len(clients) + 1, action=start)

    def worker(index, client):
        try:
            for _ in range(warmup):
                operation(client, index)
        finally:
            start_barrier.wait()
        while time.perf_counter() < clock['deadline']:
            with lock:
                if budget[0] <= 0:
                    return
                budget[0] -= 1
            began = time.perf_counter()
            try:
                status = operation(client, index)
            except Exception as error:  # a failed request is counted, not fatal
                status = f'{type(error).__name__}: {error}'
            took = time.perf_counter() - began
            with lock:
                result.statuses[status] = result.statuses.get(status, 0) + 1
                if status in expected:
                    result.latencies.append(took)
                else:
                    result.errors += 1
                    result.first_error = result.first_error or str(status)

    threads = [threading.Thread(target=worker, args=(i, c), daemon=True)
               for i, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    start_barrier.wait()
    for thread in threads:
        thread.join(max_seconds + 120)
    result.elapsed = time.perf_counter() - clock['began']
    return result


def login_all(clients, logins, password, parallel=4, attempts=3, totp_secret=None):
    """Log ``clients[i]`` in as ``logins[i]``, a few at a time (argon2 is costly).

    A failed login is tried again, as a person would, up to ``attempts`` times;
    return the number of failed attempts (each one is a server error to report).
    """
    errors = []
    failures = []
    semaphore = threading.Semaphore(parallel)

    def one(client, login):
        with semaphore:
            for attempt in range(1, attempts + 1):
                try:
                    client.login(login, password, totp_secret)
                    return
                except Exception as error:
                    failures.append(login)
                    client.cookies.clear()
                    if attempt == attempts:
                        errors.append(f'{login}: {error}')

    threads = [threading.Thread(target=one, args=pair) for pair in zip(clients, logins,
                                                                      strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise HTTPError('; '.join(errors))
    return len(failures)
