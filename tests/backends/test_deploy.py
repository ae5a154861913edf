"""The production installation of ``deploy/`` (docs/operations.md,
*Production*), run for real: the ``ExecStart=`` of its systemd units, with
the installation's paths mapped to temporary folders (:mod:`.deployed`).

One ZEO server and two portal processes start from the units; people log
in over HTTP (through nginx and TLS when nginx is installed) and read
dossiers on both processes while every timer's command runs beside them;
then the backups are restored with ``repozo -R`` and checked as in the
documented restore drill, and the sessions are purged once they are too old.
The nginx site passes ``nginx -t`` and the units ``systemd-analyze verify``
(each skipped with its reason when the tool is missing; the run never is).
"""
import configparser
import re
import shutil
import subprocess
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from bs4 import BeautifulSoup

from portail.demo import DEMO_PASSWORD
from tests import processes
from tests.backends.deployed import BIN, DEPLOY, PROJECT, UNITS, Layout, parse_unit, timers
from tests.backends.servers import free_port
from tests.conftest import START

#: the timers of deploy/systemd and what each one's service prints on success
TIMER_OUTPUT = {
    'portail-journal-anchor.timer': r'^anchor \d+ recorded$',
    'portail-journal-verify.timer': r'^journal intact: \d+ chain\(s\)$',
    'portail-journal-purge.timer': r'removed; journal packed$',
    'portail-close-expired.timer': r'^\d+ contract\(s\) closed\.$',
    'portail-purge-sessions.timer': r'^\d+ session\(s\) deleted\.$',
    'portail-retention.timer': r'dossier\(s\) erased; storage packed\.$',
    'portail-backup.timer': r'',
}
BACKED_UP = ('Journal', 'Data', 'Sessions')
ADMIN_PASSWORD = 'cheval agrafe batterie correcte lune'


def wait_for(check, what, process, log, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        if check():
            return
        time.sleep(0.2)
    pytest.fail(f'{what} did not start:\n{Path(log).read_text()[-3000:]}', pytrace=False)


def answers(url, verify=True):
    try:
        return requests.get(url, timeout=5, verify=verify, allow_redirects=False).ok
    except requests.RequestException:
        return False


class Person:
    """Someone with a browser (a cookie jar) on one address of the portal."""

    def __init__(self, base, certificate=None):
        self.base = base
        self.http = requests.Session()
        # the test's self-signed certificate (through nginx)
        self.verify = str(certificate) if certificate else True

    def get(self, path):
        return self.http.get(self.base + path, timeout=60, allow_redirects=False,
                             verify=self.verify)

    def submit(self, page, form_selector, extra):
        """Send the form of ``page`` (its hidden fields and ``extra``)."""
        form = BeautifulSoup(page.text, 'html.parser').select_one(form_selector)
        data = {field['name']: field.get('value', '') for field in form.select('input[name]')
                if field.get('type') == 'hidden'}
        data.update(extra)
        action = form['action'].split('://', 1)[-1].split('/', 1)[1]
        return self.http.post(f'{self.base}/{action}', data=data, timeout=60,
                              allow_redirects=False, verify=self.verify)

    def login(self, login, password):
        answer = self.submit(self.get('/login'), 'form.login',
                             {'login': login, 'password': password})
        assert answer.status_code == 303, answer.text[:2000]
        return answer.headers['Location']

    def accept_charter(self):
        page = self.get('/charter/')
        answer = self.submit(page, 'form#charter-answer', {'accept': '1'})
        assert answer.status_code == 303, answer.text[:2000]
        assert '/login' not in answer.headers['Location']


class Readers:
    """People reading their dossiers in a loop, each in a thread, until :meth:`stop`."""

    def __init__(self, people):
        self.stopping = threading.Event()
        self.failures, self.pages = [], 0
        self.threads = [threading.Thread(target=self._read, args=(person,))
                        for person in people]
        for thread in self.threads:
            thread.start()

    def _read(self, person):
        try:
            home = person.get('/')
            assert home.status_code == 200, home.status_code
            dossiers = sorted(set(re.findall(r'href="[^"]*?(/dossiers/[0-9a-f]+/)"', home.text)))
            assert dossiers, 'no dossier on the home page'
            count = 0
            while not self.stopping.is_set():
                page = person.get(dossiers[count % len(dossiers)])
                assert page.status_code == 200, (page.status_code, page.text[:500])
                count += 1
                self.pages += 1
        except BaseException as error:  # noqa: BLE001 (reported by stop)
            self.failures.append(error)

    def stop(self):
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=120)
        if self.failures:
            raise self.failures[0]


def settings_of(ini):
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(ini)
    return parser


class Nginx:
    """The site of deploy/nginx/portail.conf in a throw-away nginx, on free
    ports, with a self-signed certificate, in front of ``upstream``."""

    def __init__(self, folder, upstream):
        self.folder = Path(folder)
        self.folder.mkdir()
        self.port, self.http_port = free_port(), free_port()
        key = self.folder / 'key.pem'
        self.certificate = cert = self.folder / 'cert.pem'
        subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes',  # noqa: S603, S607
                        '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1',
                        '-addext', 'subjectAltName=IP:127.0.0.1'],
                       check=True, capture_output=True)
        site = (DEPLOY / 'nginx' / 'portail.conf').read_text()
        servers = '\n'.join(f'    server 127.0.0.1:{port};' for port in upstream)
        site = re.sub(r'(upstream portail \{\n)(?:    server .*\n)+', rf'\g<1>{servers}\n', site)
        site = re.sub(r'\n *listen \[::\].*', '', site)  # no IPv6 in every test machine
        site = site.replace('listen 80;', f'listen 127.0.0.1:{self.http_port};')
        site = site.replace('listen 443 ssl', f'listen 127.0.0.1:{self.port} ssl')
        site = re.sub(r'ssl_certificate .*;', f'ssl_certificate {cert};', site)
        site = re.sub(r'ssl_certificate_key .*;', f'ssl_certificate_key {key};', site)
        site = site.replace('/opt/portail', str(PROJECT))
        (self.folder / 'portail.conf').write_text(site)
        temp = ''.join(f'    {kind}_temp_path {self.folder / kind};\n'
                       for kind in ('client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'))
        (self.folder / 'nginx.conf').write_text(
            f'user root;\nerror_log {self.folder}/error.log;\npid {self.folder}/nginx.pid;\n'
            f'events {{}}\nhttp {{\n    include /etc/nginx/mime.types;\n'
            f'    access_log {self.folder}/access.log;\n{temp}'
            f'    include {self.folder}/portail.conf;\n}}\n')
        self.process = None

    def command(self, *args):
        return ['nginx', '-p', str(self.folder), '-c', str(self.folder / 'nginx.conf'), *args]

    def check(self):
        return subprocess.run(self.command('-t'), capture_output=True, text=True,  # noqa: S603
                              check=False)

    def start(self):
        self.process = subprocess.Popen(  # noqa: S603
            self.command('-g', 'daemon off;'), stderr=subprocess.DEVNULL)
        wait_for(lambda: answers(f'https://127.0.0.1:{self.port}/static/portail.css',
                                 str(self.certificate)),
                 'nginx', self.process, self.folder / 'error.log')

    def stop(self):
        processes.stop(self.process)


def check_nginx_text():
    """Without nginx: the directives the deployment relies on."""
    site = (DEPLOY / 'nginx' / 'portail.conf').read_text()
    for directive in ('proxy_set_header X-Forwarded-For $remote_addr;',
                      'proxy_set_header X-Forwarded-Proto $scheme;',
                      'add_header Strict-Transport-Security', 'listen 443 ssl',
                      'alias /opt/portail/static/;', 'proxy_pass http://portail;'):
        assert directive in site, directive


def test_the_nginx_site_matches_production_ini():
    """Proxy headers, body sizes and static folder agree with production.ini."""
    check_nginx_text()
    site = (DEPLOY / 'nginx' / 'portail.conf').read_text()
    ini = settings_of(PROJECT / 'production.ini')
    server, app = ini['server:main'], ini['app:main']
    assert server['trusted_proxy'] == '127.0.0.1'
    assert set(server['trusted_proxy_headers'].split()) == {'x-forwarded-for',
                                                            'x-forwarded-proto'}
    upstream = re.findall(r'server (127\.0\.0\.1):\d+;', site)
    assert upstream and set(upstream) == {server['trusted_proxy']}
    limit = re.search(r'client_max_body_size (\d+)m;', site).group(1)
    assert int(app['portail.max_request_bytes']) < int(limit) * 2**20 \
        <= int(server['max_request_body_size'])
    assert (PROJECT / 'static' / 'portail.css').is_file()


def test_the_units_are_hardened_and_name_what_production_ini_names():
    ini = settings_of(PROJECT / 'production.ini')['app:main']
    zeo = (DEPLOY / 'zeo.conf').read_text()
    socket_path = re.search(r'address (\S+)', zeo).group(1)
    for key in ('zodbconn.uri', 'zodbconn.uri.sessions', 'zodbconn.uri.journal'):
        assert ini[key].startswith(f'zeo://{socket_path}?storage='), key
    for path in sorted(UNITS.glob('*.service')):
        service = dict(parse_unit(path)['Service'])
        assert service['User'] == 'portail', path.name
        for key, value in (('NoNewPrivileges', 'yes'), ('ProtectSystem', 'strict'),
                           ('PrivateTmp', 'yes')):
            assert service[key] == value, (path.name, key)
        assert service['ReadWritePaths'], path.name
    assert set(timers()) == set(TIMER_OUTPUT), 'a timer without its check here'


@pytest.fixture
def layout(tmp_path):
    """The installation's folders in ``tmp_path`` (and the socket's in /tmp)."""
    made = Layout(tmp_path)
    yield made
    shutil.rmtree(made.run, ignore_errors=True)


def test_systemd_analyze_verifies_the_units(tmp_path, layout):
    if shutil.which('systemd-analyze') is None:
        pytest.skip('systemd-analyze is not installed: the units are not verified')
    folder = tmp_path / 'units'
    folder.mkdir()
    for path in UNITS.iterdir():
        text = layout.here(path.read_text()).replace('User=portail', 'User=root')
        (folder / path.name).write_text(text.replace('Group=portail', 'Group=root'))
    shutil.copy(folder / 'portail@.service', folder / 'portail@6543.service')
    units = [str(p) for p in sorted(folder.iterdir()) if p.name != 'portail@.service']
    done = subprocess.run(['systemd-analyze', 'verify', '--man=no', *units],  # noqa: S603, S607
                          capture_output=True, text=True, check=False)
    problems = [line for line in (done.stdout + done.stderr).splitlines()
                if str(folder) in line]
    assert done.returncode == 0 and not problems, done.stdout + done.stderr


@pytest.fixture
def started():
    """Processes the test starts, stopped at its end (the last first)."""
    running = []
    yield running
    for process in reversed(running):
        processes.stop(getattr(process, 'process', process))


def run_timer(layout, timer):
    service = timers()[timer]
    done = layout.run_service(service)
    assert done.returncode == 0, f'{service}:\n{done.stdout}\n{done.stderr}'
    assert re.search(TIMER_OUTPUT[timer], done.stdout.strip(), re.MULTILINE), \
        f'{service}: {done.stdout}'
    return done.stdout


def command(*argv, stdin=None):
    done = subprocess.run([str(BIN / argv[0]), *map(str, argv[1:])], input=stdin,  # noqa: S603
                          capture_output=True, text=True, check=False, timeout=300)
    assert done.returncode == 0, f'{argv}:\n{done.stdout}\n{done.stderr}'
    return done.stdout


def test_the_deployed_portal_runs_every_timer_beside_two_processes(tmp_path, layout, started):
    ports = [free_port(), free_port()]
    nginx = Nginx(tmp_path / 'nginx', ports) if shutil.which('nginx') else None
    public = f'https://127.0.0.1:{nginx.port}' if nginx else f'http://127.0.0.1:{ports[0]}'
    # the portal's clock (tests and benchmark only); plain http without nginx
    settings = {'portail.fixed_clock': START.isoformat(), 'portail.public_url': public}
    if nginx is None:
        settings['portail.secure_cookies'] = 'false'
    layout.install('zeo.conf', DEPLOY / 'zeo.conf')
    ini = layout.install('production.ini', PROJECT / 'production.ini', settings)

    zeo = layout.start('portail-zeo.service', tmp_path / 'zeo.log')
    started.append(zeo)
    wait_for(layout.socket.exists, 'the ZEO server', zeo, tmp_path / 'zeo.log')
    command('portail-init', ini, '--demo')  # the databases, through ZEO
    assert (layout.etc / 'keys' / 'journal.key').stat().st_mode & 0o077 == 0
    assert {p.name for p in layout.lib.glob('*.fs')} == {f'{n}.fs' for n in BACKED_UP}

    for port in ports:
        log = tmp_path / f'portail@{port}.log'
        process = layout.start('portail@.service', log, instance=port)
        started.append(process)
        wait_for(lambda port=port: answers(f'http://127.0.0.1:{port}/login'),
                 f'portail@{port}', process, log)
    if nginx:
        checked = nginx.check()
        assert checked.returncode == 0, checked.stderr
        nginx.start()
        started.append(nginx)
        css = requests.get(f'{public}/static/portail.css', verify=str(nginx.certificate),
                           timeout=10)
        assert css.ok and css.headers['Strict-Transport-Security'].startswith('max-age=')
        assert css.content == (PROJECT / 'static' / 'portail.css').read_bytes()
    else:
        print('\nnginx is not installed: the site is checked as text, the portal over http')
        check_nginx_text()

    # two people, each on one process (through nginx: on its upstream)
    bases = [public, public] if nginx else [f'http://127.0.0.1:{port}' for port in ports]
    certificate = nginx.certificate if nginx else None
    people = [Person(base, certificate) for base in bases]
    for person, login in zip(people, ('worker1', 'worker3'), strict=True):
        assert person.login(login, DEMO_PASSWORD) == f'{public}/'
        assert person.get('/').headers['Location'] == f'{public}/charter'
        person.accept_charter()
    if nginx:  # the cookies are Secure, and come back over TLS
        assert all(cookie.secure for cookie in people[0].http.cookies)
    # a session opened on one process is known to the other
    for port in ports:
        other = Person(f'http://127.0.0.1:{port}')
        other.http.cookies.update({c.name: c.value for c in people[0].http.cookies})
        answer = other.get('/')
        assert answer.status_code == 200, (answer.headers, dict(people[0].http.cookies))
    anchors = layout.lib / 'journal-anchors.txt'
    backups_before = {'2000-01-01', (datetime.now(UTC) - timedelta(days=1)).date().isoformat()}
    for old in backups_before:
        (layout.backups / old / 'Data').mkdir(parents=True)

    readers = Readers(people)
    try:
        # the commands of an upgrade and of the first administrator
        assert 'schema version' in command('portail-evolve', ini, '--status')
        command('portail-evolve', ini)
        assert 'created' in command('portail-create-admin', ini, 'jdupont', 'Jeanne Dupont',
                                    '--password-stdin', stdin=ADMIN_PASSWORD + '\n')
        outputs = {}
        for timer in TIMER_OUTPUT:
            lines = anchors.read_text().count('\n') if anchors.exists() else 0
            outputs[timer] = run_timer(layout, timer)
            if timer == 'portail-journal-anchor.timer':
                assert anchors.read_text().count('\n') > lines
        time.sleep(1.1)
        run_timer(layout, 'portail-backup.timer')  # again: an incremental backup
        pages = readers.pages
        time.sleep(1)
        assert readers.pages > pages, 'nobody read while the commands ran'
    finally:
        readers.stop()
    print(f'\n{readers.pages} dossier pages read while the timers ran')

    # the administrator made beside the running processes logs in through them
    admin = Person(bases[1], certificate)
    assert not admin.login('jdupont', ADMIN_PASSWORD).endswith('/login')

    # backups: one folder per day, the old ones removed, a full then an
    # incremental backup of each database, restorable
    today = [p for p in layout.backups.iterdir() if p.name not in backups_before]
    assert len(today) == 1, sorted(layout.backups.iterdir())
    assert not (layout.backups / '2000-01-01').exists()
    assert len(list(layout.backups.iterdir())) == 2  # yesterday's is kept
    restored = tmp_path / 'restored'
    restored.mkdir()
    for name in BACKED_UP:
        assert list((today[0] / name).glob('*.fsz')), name
        command('repozo', '-R', '-v', '-r', today[0] / name, '-o', restored / f'{name}.fs')
    assert list((today[0] / 'Journal').glob('*.deltafsz'))
    # the restore drill of docs/operations.md, on the restored files
    drill = layout.install('restored.ini', ini, {
        key: f'file://{restored}/{name}.fs' for key, name in (
            ('zodbconn.uri', 'Data'), ('zodbconn.uri.sessions', 'Sessions'),
            ('zodbconn.uri.journal', 'Journal'))})
    assert 'schema version' in command('portail-evolve', drill, '--status')
    assert 'journal intact' in command('portail-journal', drill, 'verify')

    # eleven hours later (portail.session_max_hours = 10) the daily purge
    # deletes the sessions, and the people meet the login page again
    layout.install('production.ini', ini, {
        'portail.fixed_clock': (START + timedelta(hours=11)).isoformat()})
    purged = run_timer(layout, 'portail-purge-sessions.timer')
    assert int(purged.split()[0]) >= 3, purged
    for person in people:
        answer = person.get('/')
        assert answer.status_code in (302, 303) and '/login' in answer.headers['Location']


def test_a_commit_of_one_process_is_seen_by_the_next_transaction_of_another(zeo_server):
    """Two ZEO clients of one server, as two portal processes: what one
    commits, the next transaction of the other sees (portail.outage.keep_in_step), as
    a login's session must be seen by the process nginx sends the next
    request to.  ZEO alone delivers the invalidations in the background:
    without :func:`keep_in_step`, about one read in ten was stale here."""
    import transaction
    import zodburi
    from ZODB import DB

    from portail.outage import keep_in_step

    def database():
        factory, kw = zodburi.resolve_uri(zeo_server.settings()['zodbconn.uri'])
        return DB(factory(), **kw)

    writer, reader = database(), database()
    keep_in_step(reader)
    stale = 0
    try:
        for count in range(200):
            tm = transaction.TransactionManager()
            conn = writer.open(tm)
            conn.root()['count'] = count
            tm.commit()
            conn.close()
            # as pyramid_tm and pyramid_zodbconn: begin, then open
            tm = transaction.TransactionManager(explicit=True)
            tm.begin()
            conn = reader.open(tm)
            stale += conn.root().get('count') != count
            tm.abort()
            conn.close()
    finally:
        writer.close()
        reader.close()
    assert stale == 0
