"""Run the benchmark: ``python -m bench.run --tier S|L|both --storage file|zeo|postgres``.

For each tier: build (or reuse) the département in ``bench/var/<tier>-<storage>/``,
serve the portal with waitress in a subprocess, log 16 clients per role in
through the login form, run every operation on them concurrently (bounded
in count and time), then the mixed load, then one client alone on a few
operations (its p50 and p99), then the two anchors on the same waitress
settings; write ``bench/results/<tier>-<storage>.json`` and print the ratios
against their targets as the last line.

Each run moves contracts made for it (:mod:`bench.fresh`), and reads the
load average before each phase (:mod:`bench.noise`): a run that started a
phase on a busy machine is marked noisy.

``--processes N`` (ZEO or PostgreSQL only: a FileStorage is one process's)
serves the portal and the anchors with N waitress processes on the same
storage, the clients spread over them (client i on process i % N; a session
lives in the shared sessions database, so a login on one process holds on
any).  Before the other phases it measures the scale-out: open dossier with
the first process alone, then with the N processes, the same clients; the
ratio of the two is ``scale_out_<N>_processes`` (issue 20).
"""
import argparse
import contextlib
import functools
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path

from bench import report, storage
from bench.fresh import make_fresh_contracts
from bench.generate import (
    BENCH_NOW,
    BENCH_PASSWORD,
    BENCH_TOTP_SECRET,
    LAST_NAMES,
    TIERS,
    complete_all_login_steps,
    generate,
    read_stamp,
    stamp_of,
)
from bench.load import SERIAL_RE, Client, login_all, run_phase
from bench.noise import WINDOW as NOISE_WINDOW
from bench.noise import LoadWatch, noisy_note, other_cores
from portail.evolve import evolve
from portail.journal.key import create_key, load_key

BENCH_DIR = Path(__file__).resolve().parent
VAR = BENCH_DIR / 'var'
RESULTS = BENCH_DIR / 'results'
STAMP = 'stamp.json'
#: the journal key the generator seals with and the portal reads, in the tier's folder
KEY_FILE = 'journal.key'

#: the operations of issue 7, in the order they run
OPERATIONS = ('caseload', 'caseload_search', 'open_dossier', 'contract_transition',
              'secretary_queue', 'cli_worklist', 'statistics', 'beneficiary_home', 'export_json',
              'forbidden_probe', 'unusual_access', 'district_caseloads')
#: what ``caseload_search`` types: the first 2 or 3 letters of the generator's
#: last names, as a worker looks for someone
SEARCH_PREFIXES = tuple(sorted({name[:2 + number % 2]
                                for number, name in enumerate(LAST_NAMES)}))
#: and the filter it adds, in turn
SEARCH_FILTERS = ({'state': 'entered'}, {'overdue': '1'}, {'state': 'shared', 'sort': 'review'},
                  {'state': 'signed'})
#: the operations measured again with one client alone, sequentially, after
#: the concurrent phases: a request's latency on an otherwise idle server
ONE_CLIENT = ('open_dossier', 'caseload', 'contract_transition')
#: the one-client phase's key of ``Operations.next_transition``
ONE_CLIENT_KEY = 'one_client'
#: the managers' clients: fewer than the districts of tier S
MANAGER_CLIENTS = 8
#: the roles whose clients the operations use; the DPO has one account, so one client
ROLES = ('worker', 'secretary', 'cli', 'beneficiary', 'dpo', 'manager')
#: the pause over which the toy tier measures other processes' CPU (seconds)
TOY_NOISE_WINDOW = 0.1
#: the operation the scale-out phases time, with one process then with N
SCALE_OUT_OPERATION = 'open_dossier'
#: the storages several processes can share
SHARED_STORAGES = ('zeo', 'postgres')
#: the storage whose scale-out ratio ``S-file.json`` shows (:func:`share_scale_out`)
SCALE_OUT_STORAGE = 'zeo'

PORTAL_INI = """\
[app:main]
use = egg:portail
pyramid.reload_templates = false
pyramid.debug_authorization = false
pyramid.debug_notfound = false
pyramid.default_locale_name = fr
zodbconn.uri = {main}
zodbconn.uri.sessions = {sessions}
zodbconn.uri.journal = {journal}
portail.journal_key_file = {journal_key_file}
tm.manager_hook = pyramid_tm.explicit_manager
retry.attempts = 5
portail.secure_cookies = false
portail.gc_freeze = true
portail.gc_thresholds = 20000 5 1000
"""


def portal_ini(uris, key_file, extra=()):
    """The portal's ini file, with the journal key of ``key_file``; ``extra``
    lines ``key = value`` replace or add settings."""
    lines = PORTAL_INI.format(**uris, journal_key_file=key_file).splitlines()
    for setting in extra:
        key = setting.split('=', 1)[0].strip()
        lines = [line for line in lines if line.split('=', 1)[0].strip() != key]
        lines.append(setting)
    return '\n'.join(lines) + '\n'


def log(message):
    print(message, flush=True)


# -- the database -----------------------------------------------------------


def ensure_database(tier, store, vardir):
    """Build the tier unless a database with a matching stamp is kept; return the stamp.

    A kept database gets the evolve steps added since it was built (e.g. the
    statistics counters of step 0004), as ``portail-evolve`` would do.
    """
    stamp_path = vardir / STAMP
    kept = read_stamp(stamp_path)
    wanted = stamp_of(tier)
    # a database generated before the journal key (no key file) is generated anew
    if (kept and all(kept.get(k) == v for k, v in wanted.items()) and store.exists()
            and (vardir / KEY_FILE).exists()):
        log(f'reusing {vardir} (generator version and tier match)')
        began = time.perf_counter()
        with portal_databases(store, vardir / KEY_FILE) as dbs:
            # on the generator's clock, as the steps of the database it built
            ran = evolve(dbs[''], BENCH_NOW, log=lambda message: None)
            completed = complete_all_login_steps(dbs[''])
        if completed:
            log(f'charter accepted and second factors given for {completed} accounts')
        if ran:
            log(f'evolve steps {", ".join(ran)} run in {time.perf_counter() - began:.1f} s')
        if 'generated_bytes' not in kept:  # first use of a database built without the figure
            kept['generated_bytes'] = storage_sizes(store)
            stamp_path.write_text(json.dumps(kept, indent=1))
        return kept
    if vardir.exists():
        shutil.rmtree(vardir)
    vardir.mkdir(parents=True)
    store.reset()
    log(f'generating tier {tier.name}: {tier.dossiers} dossiers, {tier.workers} workers, '
        f'{tier.districts} districts, into {vardir}')
    began = time.perf_counter()
    key_file = vardir / KEY_FILE
    create_key(key_file)
    with portal_databases(store, key_file) as dbs:
        stamp = generate(tier, dbs[''], load_key(key_file), log=log)
        stamp['targets'] = pick_targets(dbs[''], stamp['logins'])
    stamp['generation_seconds'] = round(time.perf_counter() - began, 1)
    stamp['generated_bytes'] = storage_sizes(store)
    log(f'generated in {stamp["generation_seconds"]} s')
    stamp_path.write_text(json.dumps(stamp, indent=1))
    return stamp


def storage_sizes(store):
    return {name: store.size_bytes(name) for name in ('main', 'journal')}


@contextlib.contextmanager
def portal_databases(store, key_file):
    """The portal's databases on ``store`` (as the app opens them, with the
    journal key of ``key_file``: the portal refuses a database with a journal
    and no key), closed at the end."""
    from portail import main as portal_app

    app = portal_app({}, **store.settings(), **{'portail.secure_cookies': 'false',
                                                'portail.journal_key_file': str(key_file)})
    dbs = app.registry._zodb_databases
    try:
        yield dbs
    finally:
        for db in dbs.values():
            db.close()


def spread(items, count):
    """``count`` items taken evenly along ``items`` (all of them if fewer)."""
    if len(items) <= count:
        return list(items)
    return [items[i * len(items) // count] for i in range(count)]


def pick_targets(db, logins, clients=16):
    """What each client works on: its login, and for workers some of their
    dossiers, one shared contract and a dossier of another district."""
    import transaction

    from portail.models.root import get_root

    tm = transaction.TransactionManager(explicit=True)
    conn = db.open(transaction_manager=tm)
    tm.begin()
    try:
        root = get_root(conn.root())
        users, dossiers = root.users, root.dossiers
        workers = []
        chosen = spread(logins['worker'], clients)
        for index, login in enumerate(chosen):
            user = users.find_login(login)
            names = list(dossiers.by_referent.get(user.uid, ()))[:20]
            contract = None
            for name in names:
                shared = [c for c in dossiers[name].contracts.values() if c.state == 'shared']
                if shared:
                    contract = f'/dossiers/{name}/contracts/{shared[0].__name__}'
                    break
            other = next(users.find_login(o) for o in chosen[index + 1:] + chosen[:index]
                         if users.find_login(o).district != user.district)
            foreign = next(iter(dossiers.by_referent[other.uid]))
            workers.append({'login': login, 'dossiers': [f'/dossiers/{n}' for n in names],
                            'contract': contract, 'foreign': f'/dossiers/{foreign}'})
        return {
            'worker': workers,
            'secretary': [{'login': x} for x in spread(logins['secretary'], clients)],
            'cli': [{'login': x} for x in spread(logins['cli'], clients)],
            'beneficiary': [{'login': x} for x in spread(logins['beneficiary'], clients)],
            'dpo': [{'login': x} for x in logins['dpo'][:1]],
            # as many managers at both tiers (S has ten), so that the p50s of
            # district_caseloads compare pages, not concurrencies
            'manager': [district_caseload_target(users, dossiers, x)
                        for x in spread(logins['manager'], MANAGER_CLIENTS)],
        }
    finally:
        tm.abort()
        conn.close()


def district_caseload_target(users, dossiers, login):
    """A district manager, and the page of their district's dossiers by
    référent showing the first page of its first worker's caseload."""
    manager = users.find_login(login)
    worker = min(u.uid for u in users.with_role(manager.district, 'worker')
                 if dossiers.by_referent.get(u.uid))
    return {'login': login,
            'caseloads': f'/districts/{manager.district}/caseloads?referent={worker}'}


# -- servers ----------------------------------------------------------------


class Server:
    """``python -m bench.server`` in a subprocess; its port, pid and peak RSS."""

    def __init__(self, *args, threads, gc_freeze, gc_stats=None):
        command = [sys.executable, '-m', 'bench.server', *args, '--threads', str(threads)]
        if gc_stats:
            command += ['--gc-stats', str(gc_stats)]
        if gc_freeze:
            command.append('--gc-freeze')
        self.started = time.perf_counter()
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True,  # noqa: S603
                                        cwd=BENCH_DIR.parent)
        line = self.process.stdout.readline()
        if not line.startswith('PORT '):
            self.process.kill()
            raise RuntimeError(f'server did not start: {line!r}')
        self.port = int(line.split()[1])

    def wait_ready(self, path):
        """Seconds from the spawn to the first 200 answer on ``path``."""
        client = Client('127.0.0.1', self.port)
        try:
            while True:
                try:
                    if client.get(path)[0] == 200:
                        return time.perf_counter() - self.started
                except OSError:
                    pass
                time.sleep(0.05)
        finally:
            client.close()

    def peak_rss_mib(self):
        with open(f'/proc/{self.process.pid}/status') as status:
            for line in status:
                if line.startswith('VmHWM:'):
                    return round(int(line.split()[1]) / 1024, 1)
        return None

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# -- operations -------------------------------------------------------------


class Operations:
    """The operations of issue 7, each ``op(client, index) -> HTTP status``."""

    def __init__(self, targets, clients):
        self.targets = targets
        self.clients = clients
        self.counters = [0] * 64
        self.next_transition = {}

    def role_op(self, role, function, expected=(200,)):
        def op(client_unused, index):
            return function(self.clients[role][index], index)

        op.expected = set(expected)
        op.role = role
        return op

    def home(self, client, index):
        return client.get('/')[0]

    def open_dossier(self, client, index):
        paths = self.targets['worker'][index]['dossiers']
        self.counters[index] += 1
        return client.get(paths[self.counters[index] % len(paths)])[0]

    def export_json(self, client, index):
        paths = self.targets['worker'][index]['dossiers']
        self.counters[index] += 1
        return client.get(paths[self.counters[index] % len(paths)] + '/export.json')[0]

    def forbidden_probe(self, client, index):
        return client.get(self.targets['worker'][index]['foreign'])[0]

    def prepare_statistics(self):
        """``/statistics/`` sends a facilitator to their district's page: note where."""
        self.statistics_paths = {}
        for index, client in enumerate(self.clients['cli']):
            status, _page, response = client.get('/statistics/')
            location = response.getheader('Location', '') if status == 302 else ''
            self.statistics_paths[index] = urllib.parse.urlsplit(location).path or '/statistics/'

    def statistics(self, client, index):
        """A district's statistics page, as its CLI facilitator reads it."""
        return client.get(self.statistics_paths[index])[0]

    def transition_paths(self):
        """``{key of next_transition: (client, contract path)}``: each worker
        client's contract, and the one-client phase's (first worker's client)."""
        paths = {index: (client, self.targets['worker'][index]['contract'])
                 for index, client in enumerate(self.clients['worker'])}
        if self.targets.get(ONE_CLIENT_KEY):
            paths[ONE_CLIENT_KEY] = (self.clients['worker'][0],
                                     self.targets[ONE_CLIENT_KEY]['contract'])
        return paths

    def prepare_transitions(self):
        """Find, for each contract to move, whether it is shared now (a fresh
        one is: :mod:`bench.fresh`)."""
        for key, (client, path) in self.transition_paths().items():
            status = client.get(f'{path}/transition?name=unshare')[0]
            self.next_transition[key] = 'unshare' if status == 200 else 'share'

    def contract_transition(self, client, index):
        """The confirmation page (for the version serial), then the POST with CSRF."""
        return self.transition(client, index, self.targets['worker'][index]['contract'])

    def one_client_transition(self, client, index):
        """:meth:`contract_transition` on the one-client phase's own contract."""
        return self.transition(client, ONE_CLIENT_KEY, self.targets[ONE_CLIENT_KEY]['contract'])

    def transition(self, client, key, path):
        """``unshare`` or ``share`` the contract at ``path``, in turn (``key``
        of :attr:`next_transition`)."""
        name = self.next_transition.get(key, 'unshare')
        status, page, _ = client.get(f'{path}/transition?name={name}')
        if status != 200:
            return f'confirm page {status}'
        form = {'name': name, 'serial': SERIAL_RE.search(page).group(1)}
        if name == 'share':
            form['fields'] = ['themes', 'duration_months', 'actions']
        status = client.post(f'{path}/transition', form)[0]
        if status == 303:
            self.next_transition[key] = 'share' if name == 'unshare' else 'unshare'
        return status

    def caseload_search(self, client, index):
        """The caseload page searched by a name prefix of 2 or 3 letters and
        a filter (a state, the overdue reviews, a sort): issue 16."""
        self.counters[index] += 1
        step = self.counters[index]
        form = dict(SEARCH_FILTERS[step % len(SEARCH_FILTERS)],
                    name=SEARCH_PREFIXES[step % len(SEARCH_PREFIXES)])
        return client.post('/dossiers/caseload', form)[0]

    def unusual_access(self, client, index):
        """The DPO's unusual-access report of the last seven days."""
        return client.get('/unusual-access')[0]

    def district_caseloads(self, client, index):
        """A qualified manager's page of the district's dossiers by référent,
        one référent's caseload shown."""
        return client.get(self.targets['manager'][index]['caseloads'])[0]

    def table(self):
        unusual = self.role_op('dpo', self.unusual_access)
        unusual.in_mixed = False  # a DPO's occasional page, with one account
        district = self.role_op('manager', self.district_caseloads)
        district.in_mixed = False  # a manager's occasional page
        return {
            'caseload': self.role_op('worker', self.home),
            'caseload_search': self.role_op('worker', self.caseload_search),
            'open_dossier': self.role_op('worker', self.open_dossier),
            'contract_transition': self.role_op('worker', self.contract_transition, (303,)),
            'secretary_queue': self.role_op('secretary', self.home),
            'cli_worklist': self.role_op('cli', self.home),
            'statistics': self.role_op('cli', self.statistics),
            'beneficiary_home': self.role_op('beneficiary', self.home),
            'export_json': self.role_op('worker', self.export_json),
            'forbidden_probe': self.role_op('worker', self.forbidden_probe, (403, 404)),
            'unusual_access': unusual,
            'district_caseloads': district,
        }


def mixed_operation(table, names, seed=7):
    """Each client runs every operation in turn (but those kept out of the
    mix), from its own random starting point."""
    names = [n for n in names if getattr(table[n], 'in_mixed', True)]
    rng = random.Random(seed)
    offsets = [rng.randrange(len(names)) for _ in range(64)]
    steps = [0] * 64

    def op(client_unused, index):
        name = names[(offsets[index] + steps[index]) % len(names)]
        steps[index] += 1
        status = table[name](None, index)
        return 200 if status in table[name].expected else status

    op.expected = {200}
    return op


# -- one tier ---------------------------------------------------------------


def run_tier(tier, store_name, args):
    vardir = VAR / f'{tier.name}-{store_name}'
    store = storage.make(store_name, vardir)
    store.start()
    try:
        stamp = ensure_database(tier, store, vardir)
        fresh = None
        if moves_contracts(selected_operations(args)):
            began = time.perf_counter()
            with portal_databases(store, vardir / KEY_FILE) as dbs:
                fresh = make_fresh_contracts(dbs[''], tier, load_key(vardir / KEY_FILE),
                                             stamp['targets']['worker'])
            log(f'{len(fresh["contracts"]) + len(fresh["extra"])} fresh contracts to move '
                f'(history of {fresh["history_length"]}) in '
                f'{time.perf_counter() - began:.1f} s')
        return measure(tier, store_name, store, stamp, vardir, args, fresh)
    finally:
        store.stop()


def selected_operations(args):
    """The operations of :data:`OPERATIONS` this run measures, in order."""
    return [n for n in OPERATIONS if not args.operations or n in args.operations]


def moves_contracts(names):
    return 'contract_transition' in names


def run_targets(targets, fresh):
    """The stamp's ``targets`` with this run's fresh contracts to move
    (:mod:`bench.fresh`) in place of the generated ones; the stamp's own
    dict is left as it is."""
    targets = dict(targets)
    # a database generated before the DPO's operation names no DPO target
    targets.setdefault('dpo', [{'login': 'dpo1'}])
    if fresh:
        targets['worker'] = [dict(t, contract=path) for t, path
                             in zip(targets['worker'], fresh['contracts'], strict=True)]
        targets[ONE_CLIENT_KEY] = {'contract': fresh['extra'][0]}
    return targets


def measure(tier, store_name, store, stamp, vardir, args, fresh=None, watch=None):
    """Serve the portal of ``vardir`` (with ``args.processes`` processes),
    run its phases (:func:`run_portal`), then the anchors' on as many
    processes; return the results."""
    # the toy tier (tests/test_bench.py) measures the others over a shorter pause
    watch = watch or LoadWatch(others=functools.partial(
        other_cores, window=TOY_NOISE_WINDOW if tier.name == 'toy' else NOISE_WINDOW))
    processes = process_count(args)
    ini = vardir / 'bench.ini'
    ini.write_text(portal_ini(store.uris(), vardir / KEY_FILE, args.setting))
    gc_files = [vardir / ('gc.json' if i == 0 else f'gc-{i}.json') for i in range(processes)]
    # the portal freezes by its own setting (portail.gc_freeze); the anchors by --gc-freeze
    servers = [Server('portal', str(ini), threads=args.threads, gc_freeze=False,
                      gc_stats=gc_files[0])]

    def more_processes():
        """Start the other processes of a scale-out run; their ports."""
        for number in range(1, processes):
            server = Server('portal', str(ini), threads=args.threads, gc_freeze=False,
                            gc_stats=gc_files[number])
            servers.append(server)
            took = server.wait_ready('/login')
            log(f'portal process {number + 1} of {processes} ready in {took:.2f} s '
                f'(pid {server.process.pid}, port {server.port})')
        return [server.port for server in servers[1:]]

    try:
        cold_start = servers[0].wait_ready('/login')
        log(f'portal cold start {cold_start:.2f} s (pid {servers[0].process.pid}, '
            f'port {servers[0].port})')
        portal = run_portal(servers[0].port, run_targets(stamp['targets'], fresh), args, watch,
                            more_processes if processes > 1 else None,
                            cpu=lambda: cpu_seconds(servers, store))
        rss = [server.peak_rss_mib() for server in servers]
    finally:
        for server in servers:
            server.stop()
    anchors = {}
    for kind, target in (('hello', None), ('acl', store.anchor_uri())):
        path = '/hello' if kind == 'hello' else '/item'
        anchors[kind] = run_anchor(kind, target, path, processes, args, watch)
        log(describe(anchors[kind]))
    one_client = {name: figures_of(phase) for name, phase in portal['one_client'].items()}
    scale_out = portal.get('scale_out')
    results = build_results(tier, store_name, store, stamp, portal['phases'], portal['mixed'],
                            anchors, max(rss, key=lambda x: x or 0), cold_start, args,
                            one_client=one_client,
                            scale_out={n: figures_of(phase) for n, phase
                                       in scale_out['phases'].items()} if scale_out else None)
    results['one_client'] = one_client
    if fresh:
        results['transition_contracts'] = fresh
    results.update(watch.figures())
    results['failed_login_attempts'] = portal['login_failures']
    results['server_gc'] = read_stamp(gc_files[0])
    if processes > 1:
        results['rss_mib_per_process'] = rss
        results['server_gc_per_process'] = [read_stamp(path) for path in gc_files]
        results['scale_out'] = scale_out_figures(scale_out, results['ratios'])
    return results


def process_cpu_seconds(pid):
    """User + system CPU seconds of process ``pid`` so far (``None`` if gone)."""
    try:
        with open(f'/proc/{pid}/stat') as stat:
            fields = stat.read().rpartition(')')[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def cpu_seconds(servers, store):
    """CPU seconds so far of the load generator (this process: the clients'
    threads), of each portal process and of the ZEO server, if the bench
    started one (a PostgreSQL server is not the bench's: ``None``)."""
    storage_process = getattr(store, 'process', None)
    return {'load_generator': time.process_time(),
            'portal': [process_cpu_seconds(server.process.pid) for server in servers],
            'storage': process_cpu_seconds(storage_process.pid) if storage_process else None}


def cpu_used(before, after, wall):
    """What :func:`cpu_seconds` counted between two readings, over ``wall``
    seconds, and ``cores_busy``: all of it over the wall time (this machine
    has ``os.cpu_count()`` cores)."""
    def spent(a, b):
        return None if a is None or b is None else round(b - a, 2)

    used = {'wall_seconds': round(wall, 2),
            'load_generator': spent(before['load_generator'], after['load_generator']),
            'portal': [spent(a, b) for a, b in zip(before['portal'], after['portal'],
                                                   strict=False)],
            'storage': spent(before['storage'], after['storage'])}
    total = sum(x for x in (used['load_generator'], *used['portal'], used['storage'])
                if x is not None)
    used['cores_busy'] = round(total / wall, 2) if wall > 0 else None
    return used


def process_count(args):
    """``args.processes``: 1 when not given."""
    return getattr(args, 'processes', 1) or 1


def run_anchor(kind, target, path, processes, args, watch):
    """The anchor ``kind`` served by ``processes`` waitress processes, the
    clients spread over them as the portal's; its :class:`PhaseResult`."""
    servers, clients = [], []
    try:
        # one after the other: the ACL anchor stores its object at start-up
        for _ in range(processes):
            servers.append(Server(kind, *([target] if target else []), threads=args.threads,
                                  gc_freeze=True))
        for server in servers:
            server.wait_ready(path)
        clients = [Client('127.0.0.1', servers[i % processes].port)
                   for i in range(args.clients)]
        op = lambda client, index: client.get(path)[0]  # noqa: E731
        watch.before(f'anchor_{kind}')
        return run_phase(f'anchor_{kind}', clients, op, args.anchor_requests, args.seconds)
    finally:
        for client in clients:
            client.close()
        for server in servers:
            server.stop()


def scale_out_figures(scale_out, ratios):
    """The results' ``scale_out``: both phases, where the clients were, the ratio."""
    phases = {str(n): figures_of(phase) for n, phase in scale_out['phases'].items()}
    processes = max(scale_out['phases'])
    key = f'scale_out_{processes}_processes'
    return {'operation': SCALE_OUT_OPERATION, 'processes': processes,
            'clients': scale_out['clients'], 'ports': scale_out['ports'],
            'phases': phases, 'statuses_by_process': scale_out['statuses_by_process'],
            'cpu_seconds': scale_out.get('cpu') or {}, 'warmup_per_client': scale_out['warmup'],
            'ratio_key': key, 'ratio': ratios.get(key), 'cpus': os.cpu_count()}


def run_portal(port, targets, args, watch, more_processes=None, cpu=None):
    """Log the clients in to the portal on ``port``, then run the selected
    operations concurrently, the mixed load, and the one-client phases,
    reading the load average before each; return ``{'phases', 'mixed',
    'one_client', 'login_failures'}`` (phases as :class:`bench.load.PhaseResult`).

    ``more_processes``: for a scale-out run, a function that starts the
    portal's other processes and returns their ports.  Then, once logged in
    (on the first process), the clients run :func:`scale_out_phases` (with
    the first process alone, then with all) and every later phase on all
    the processes; the result gets ``'scale_out'``.  ``cpu``: a function
    reading the CPU seconds of the processes (:func:`cpu_seconds`), read
    before and after each scale-out phase.
    """
    clients = {role: [Client('127.0.0.1', port) for _ in targets[role]] for role in ROLES}
    ops = Operations(targets, clients)
    table = ops.table()
    names = selected_operations(args)
    roles = {table[n].role for n in names}
    if more_processes is not None:
        roles.add(table[SCALE_OUT_OPERATION].role)
    began = time.perf_counter()
    login_failures = 0
    found = {}
    try:
        for role in sorted(roles):
            login_failures += login_all(clients[role], [t['login'] for t in targets[role]],
                                        BENCH_PASSWORD, totp_secret=BENCH_TOTP_SECRET)
        log(f'{sum(len(clients[r]) for r in roles)} clients logged in '
            f'({time.perf_counter() - began:.1f} s, {login_failures} failed attempts)')
        if 'worker' in roles:
            ops.prepare_transitions()
        if 'statistics' in names:
            ops.prepare_statistics()
        if more_processes is not None:
            found['scale_out'] = scale_out_phases(port, more_processes, clients, table, args,
                                                  watch, cpu, scale_out_warmup(targets, args))
        phases = {}
        for name in names:
            op = table[name]
            watch.before(name)
            phases[name] = run_phase(name, clients[op.role], op, args.requests, args.seconds,
                                     warmup=args.warmup)
            log(describe(phases[name]))
        watch.before('mixed')
        mixed = run_phase('mixed', clients['worker'], mixed_operation(table, names),
                          args.requests, args.seconds)
        log(describe(mixed))
        one_client = one_client_phases(ops, table, names, args, watch)
    finally:
        for role_clients in clients.values():
            for client in role_clients:
                client.close()
    return {'phases': phases, 'mixed': mixed, 'one_client': one_client,
            'login_failures': login_failures, **found}


def scale_out_warmup(targets, args):
    """The scale-out phases' warm-up per client: one request per dossier the
    client opens (20 at tiers S and L), at least ``args.warmup``, so that
    every process holds its clients' dossiers in its caches before either
    phase is timed (in the N-process phase the first process is warm from
    the first phase, the others are not)."""
    return max([args.warmup] + [len(t['dossiers']) for t in targets['worker']])


def scale_out_phases(first_port, more_processes, clients, table, args, watch, cpu=None,
                     warmup=None):
    """:data:`SCALE_OUT_OPERATION` on the workers' clients with the first
    process alone (``scale_out_1``), then with all of them (``scale_out_<N>``,
    once :func:`spread_clients` moved every client): the same clients, one
    phase after the other.  Returns ``{'phases': {1: PhaseResult, N: …},
    'ports', 'clients', 'statuses_by_process', 'cpu'}``: the statuses of the
    N-process phase, warm-up included, per process; the CPU each process
    used during each phase, warm-up included (:func:`cpu_used`), if ``cpu``.
    ``warmup``: unmeasured requests per client before each phase
    (:func:`scale_out_warmup`; ``args.warmup`` if not given)."""
    op = table[SCALE_OUT_OPERATION]
    workers = clients[op.role]
    phases, used = {}, {}

    def timed(count, operation):
        name = f'scale_out_{count}'
        watch.before(name)
        before, began = (cpu() if cpu else None), time.perf_counter()
        phases[count] = run_phase(name, workers, operation, args.requests, args.seconds,
                                  warmup=args.warmup if warmup is None else warmup)
        if cpu:
            used[str(count)] = cpu_used(before, cpu(), time.perf_counter() - began)
        log(describe(phases[count]))

    timed(1, op)
    ports = [first_port, *more_processes()]
    spread_clients(clients, ports)
    counted = count_by_process(op, workers, ports)
    timed(len(ports), counted)
    return {'phases': phases, 'ports': ports, 'clients': len(workers),
            'statuses_by_process': counted.by_process, 'cpu': used,
            'warmup': args.warmup if warmup is None else warmup}


def spread_clients(clients, ports):
    """Client i of each role talks to ``ports[i % len(ports)]`` from its next
    request on (its cookies, so its session, go with it)."""
    for role_clients in clients.values():
        for index, client in enumerate(role_clients):
            client.close()
            client.port = ports[index % len(ports)]


def count_by_process(op, clients, ports):
    """``op`` noting each answer's status by the process of the client
    (``.by_process``: a list, per port of ``ports``, of ``{status: count}``)."""
    lock = threading.Lock()
    by_process = [{} for _ in ports]

    def counted(client, index):
        status = op(client, index)
        with lock:
            statuses = by_process[ports.index(clients[index].port)]
            statuses[str(status)] = statuses.get(str(status), 0) + 1
        return status

    counted.expected, counted.role, counted.by_process = op.expected, op.role, by_process
    return counted


def one_client_phases(ops, table, names, args, watch):
    """The :data:`ONE_CLIENT` operations (those selected) with the first
    worker's client alone, its requests one after the other: ``{operation:
    PhaseResult}``.  The transition moves a contract of its own."""
    found = {}
    for name in ONE_CLIENT:
        if name not in names:
            continue
        op = table[name]
        if name == 'contract_transition':
            op = ops.role_op('worker', ops.one_client_transition, (303,))
        phase_name = f'one_client_{name}'
        watch.before(phase_name)
        found[name] = run_phase(phase_name, [None], op, args.one_client_requests, args.seconds,
                                warmup=args.warmup)
        log(describe(found[name]))
    return found


def describe(phase):
    figures = report.operation_figures(phase.latencies, phase.elapsed, phase.errors)
    line = (f'  {phase.name:<20} {figures["requests"]:>6} req {figures["rps"]:>8} req/s  '
            f'p50 {figures["p50_ms"]} ms  p95 {figures["p95_ms"]} ms  '
            f'p99 {figures["p99_ms"]} ms')
    if phase.errors:
        line += f'  ERRORS {phase.errors} (first: {phase.first_error})'
    return line


def one_client_line(tier, storage_name, one_client):
    """The one-client phases in one line: p50 and p99 of each."""
    return f'one client {tier}/{storage_name}: ' + '; '.join(
        f'{name} p50 {f["p50_ms"]} ms p99 {f["p99_ms"]} ms' for name, f in one_client.items())


def scale_out_line(results):
    """The scale-out phases in one line: requests/s with 1 and N processes,
    and the peak RSS of each process."""
    scale = results['scale_out']
    rps = ', '.join(f'{n} process(es) {f["rps"]} req/s' for n, f in scale['phases'].items())
    busy = ', '.join(f'{n}: {c["cores_busy"]}' for n, c in
                     (scale.get('cpu_seconds') or {}).items())
    return (f'scale-out {results["tier"]}/{results["storage"]} ({scale["operation"]}, '
            f'{scale["clients"]} clients): {rps}; {scale["ratio_key"]}={scale["ratio"]}; '
            f'cores busy {busy or "?"} of {scale["cpus"]}; '
            f'peak RSS per process {results.get("rss_mib_per_process")} MiB')


def figures_of(phase):
    return report.operation_figures(phase.latencies, phase.elapsed, phase.errors,
                                    phase.statuses)


def build_results(tier, store_name, store, stamp, phases, mixed, anchors, rss, cold_start,
                  args, one_client=None, scale_out=None):
    operations = {name: figures_of(phase) for name, phase in phases.items()}
    missing = [name for name in OPERATIONS if name not in operations]
    anchor_figures = {kind: figures_of(phase) for kind, phase in anchors.items()}
    mixed_figures = figures_of(mixed)
    other = other_tier(tier.name, store_name, operations)
    generated = stamp.get('generated_bytes') or {}
    now = storage_sizes(store)
    results = {
        'tier': tier.name,
        'storage': store_name,
        'run_at': datetime.now(UTC).isoformat(timespec='seconds'),
        'machine': {'cpus': os.cpu_count(), 'python': platform.python_version(),
                    'load_average': os.getloadavg()},
        'settings': {'clients': args.clients, 'server_threads': args.threads,
                     'max_requests_per_operation': args.requests,
                     'max_seconds_per_operation': args.seconds,
                     'warmup_per_client': args.warmup,
                     'only': args.operations,
                     'processes': process_count(args),
                     'extra_settings': args.setting},
        'size': {'dossiers': tier.dossiers, 'contracts': tier.dossiers
                 * tier.contracts_per_dossier, 'workers': tier.workers,
                 'districts': tier.districts, 'caseload': tier.caseload},
        'generation_seconds': stamp.get('generation_seconds'),
        'operations': operations,
        'missing_operations': missing,
        'mixed': mixed_figures,
        'anchors': anchor_figures,
        'cold_start_seconds': round(cold_start, 2),
        'rss_mib': rss,
        # Data.fs (main database) per dossier as generated, then now: every bench run
        # adds object revisions (sessions, journal buckets) until the storage is packed
        'storage_bytes_per_dossier': per_dossier(generated.get('main'), tier),
        'journal_bytes_per_dossier': per_dossier(generated.get('journal'), tier),
        'storage_bytes_now': now,
        'ratios': report.compute_ratios(operations, anchor_figures, mixed_figures, rss,
                                        other[:2] if other else None, one_client, scale_out),
    }
    if other is not None:
        results['compared_with'] = other[2]
    results['verdicts'] = report.verdicts(results['ratios'], tier.name)
    return results


def per_dossier(size, tier):
    return round(size / tier.dossiers) if size else None


def other_tier(tier_name, store_name, operations):
    """``(L operations, S operations, other file's run_at)`` if the other tier was run."""
    other_name = {'S': 'L', 'L': 'S'}.get(tier_name)
    if other_name is None:
        return None
    path = RESULTS / f'{other_name}-{store_name}.json'
    try:
        other = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    pair = (operations, other['operations']) if tier_name == 'L' else (
        other['operations'], operations)
    return (*pair, f'{path.name} of {other.get("run_at")}')


def write_results(results):
    """Into ``bench/results/`` (committed) for the tiers of the issue, else ``bench/var/``."""
    complete = results['tier'] in ('S', 'L') and not results['settings']['only']
    folder = RESULTS if complete else VAR
    folder.mkdir(exist_ok=True)
    path = folder / f'{results["tier"]}-{results["storage"]}.json'
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + '\n')
    return path


def share_tier_ratios(store_name):
    """Once both tiers were run on ``store_name``, the S file gets the L/S ratios too."""
    try:
        small = json.loads((RESULTS / f'S-{store_name}.json').read_text())
        large = json.loads((RESULTS / f'L-{store_name}.json').read_text())
    except OSError:
        return
    for key in report.TIER_RATIOS:
        small['ratios'][key] = large['ratios'].get(key)
    # keep the key order of the targets: the tier ratios before p99 and rss
    small['ratios'] = report.ordered(small['ratios'])
    small['compared_with'] = f'L-{store_name}.json of {large["run_at"]}'
    small['verdicts'] = report.verdicts(small['ratios'], 'S')
    write_results(small)


def share_scale_out():
    """``S-file.json`` gets the scale-out ratio of ``S-zeo.json`` (its
    ``scale_out_from`` names the file and its run): a FileStorage is one
    process's, so the one-process file run cannot measure it, and the issue
    reads every target in ``S-file.json``.  Returns the updated S-file
    results, or ``None`` when either file is missing or the ZEO run was not
    a scale-out run."""
    try:
        single = json.loads((RESULTS / 'S-file.json').read_text())
        shared = json.loads((RESULTS / f'S-{SCALE_OUT_STORAGE}.json').read_text())
    except OSError:
        return None
    key = report.SCALE_OUT_KEY
    if key not in shared.get('ratios', {}):
        return None
    single['ratios'][key] = shared['ratios'][key]
    single['ratios'] = report.ordered(single['ratios'])
    single['scale_out_from'] = f'S-{SCALE_OUT_STORAGE}.json of {shared["run_at"]}'
    single['verdicts'] = report.verdicts(single['ratios'], 'S')
    write_results(single)
    return single


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--tier', default='S', choices=('S', 'L', 'both', 'toy'))
    parser.add_argument('--storage', default='file', choices=storage.KINDS)
    parser.add_argument('--threads', type=int, default=4, help='waitress threads (all apps)')
    parser.add_argument('--clients', type=int, default=16)
    parser.add_argument('--requests', type=int, default=1500,
                        help='at most this many requests per operation')
    parser.add_argument('--anchor-requests', type=int, default=5000)
    parser.add_argument('--one-client-requests', type=int, default=300,
                        help='at most this many requests per one-client phase')
    parser.add_argument('--seconds', type=float, default=15.0,
                        help='at most this long per operation')
    parser.add_argument('--setting', action='append', default=[],
                        help='"key = value" added to the portal\'s [app:main] (repeatable)')
    parser.add_argument('--warmup', type=int, default=8,
                        help='unmeasured requests per client before each operation')
    parser.add_argument('--operations', type=lambda text: text.split(','), default=None,
                        help='only these operations (comma-separated), to study one')
    parser.add_argument('--processes', type=int, default=1,
                        help='portal and anchor processes (zeo or postgres only); with 2 '
                             'or more, the scale-out phases run first')
    parser.add_argument('--generate-only', action='store_true',
                        help='build (or check) the database, measure nothing')
    args = parser.parse_args(argv)
    if args.processes < 1:
        parser.error('--processes must be 1 or more')
    if args.processes > 1 and args.storage not in SHARED_STORAGES:
        parser.error(f'--processes {args.processes} needs a storage processes share '
                     f'({" or ".join(SHARED_STORAGES)}), not {args.storage}: a FileStorage '
                     f'is opened by one process')
    tiers = ('S', 'L') if args.tier == 'both' else (args.tier,)
    if args.generate_only:
        for name in tiers:
            vardir = VAR / f'{name}-{args.storage}'
            store = storage.make(args.storage, vardir)
            store.start()
            try:
                ensure_database(TIERS[name], store, vardir)
            finally:
                store.stop()
        return
    lines = []
    for name in tiers:
        results = run_tier(TIERS[name], args.storage, args)
        path = write_results(results)
        log(f'results written to {path.relative_to(BENCH_DIR.parent)}')
        if path.parent == RESULTS and name == 'S' and args.storage in (
                'file', SCALE_OUT_STORAGE):
            shared = share_scale_out()
            if shared is not None:
                log(f'S-file.json: {report.SCALE_OUT_KEY} '
                    f'{shared["ratios"][report.SCALE_OUT_KEY]} from {shared["scale_out_from"]}')
                if args.storage == 'file':
                    results = shared
        if results['one_client']:
            log(one_client_line(name, args.storage, results['one_client']))
        if results.get('scale_out'):
            log(scale_out_line(results))
        lines.append(report.summary_line(name, args.storage, results['ratios'])
                     + noisy_note(results))
    if args.tier in ('L', 'both'):
        share_tier_ratios(args.storage)
    for line in lines[:-1]:
        log(line)
    log(lines[-1])


if __name__ == '__main__':
    main()
