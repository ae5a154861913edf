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
"""
import argparse
import contextlib
import json
import os
import platform
import random
import shutil
import subprocess
import sys
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
from bench.noise import LoadWatch, noisy_note
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
    """Serve the portal of ``vardir``, run its phases (:func:`run_portal`),
    then the anchors'; return the results."""
    watch = watch or LoadWatch()
    ini = vardir / 'bench.ini'
    ini.write_text(portal_ini(store.uris(), vardir / KEY_FILE, args.setting))
    gc_stats = vardir / 'gc.json'
    # the portal freezes by its own setting (portail.gc_freeze); the anchors by --gc-freeze
    server = Server('portal', str(ini), threads=args.threads, gc_freeze=False,
                    gc_stats=gc_stats)
    try:
        cold_start = server.wait_ready('/login')
        log(f'portal cold start {cold_start:.2f} s (pid {server.process.pid}, '
            f'port {server.port})')
        portal = run_portal(server.port, run_targets(stamp['targets'], fresh), args, watch)
        rss = server.peak_rss_mib()
    finally:
        server.stop()
    anchors = {}
    for kind, target in (('hello', None), ('acl', store.anchor_uri())):
        anchor = Server(kind, *([target] if target else []), threads=args.threads,
                        gc_freeze=True)
        try:
            path = '/hello' if kind == 'hello' else '/item'
            anchor.wait_ready(path)
            clients = [Client('127.0.0.1', anchor.port) for _ in range(args.clients)]
            op = lambda client, index, path=path: client.get(path)[0]  # noqa: E731
            watch.before(f'anchor_{kind}')
            phase = run_phase(f'anchor_{kind}', clients, op, args.anchor_requests, args.seconds)
            anchors[kind] = phase
            log(describe(phase))
        finally:
            anchor.stop()
    results = build_results(tier, store_name, store, stamp, portal['phases'], portal['mixed'],
                            anchors, rss, cold_start, args)
    results['one_client'] = {name: figures_of(phase)
                             for name, phase in portal['one_client'].items()}
    if fresh:
        results['transition_contracts'] = fresh
    results.update(watch.figures())
    results['failed_login_attempts'] = portal['login_failures']
    results['server_gc'] = read_stamp(gc_stats)
    return results


def run_portal(port, targets, args, watch):
    """Log the clients in to the portal on ``port``, then run the selected
    operations concurrently, the mixed load, and the one-client phases,
    reading the load average before each; return ``{'phases', 'mixed',
    'one_client', 'login_failures'}`` (phases as :class:`bench.load.PhaseResult`)."""
    clients = {role: [Client('127.0.0.1', port) for _ in targets[role]] for role in ROLES}
    ops = Operations(targets, clients)
    table = ops.table()
    names = selected_operations(args)
    roles = {table[n].role for n in names}
    began = time.perf_counter()
    login_failures = 0
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
            'login_failures': login_failures}


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


def figures_of(phase):
    return report.operation_figures(phase.latencies, phase.elapsed, phase.errors,
                                    phase.statuses)


def build_results(tier, store_name, store, stamp, phases, mixed, anchors, rss, cold_start,
                  args):
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
                                        other[:2] if other else None),
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
    tier_ratios = tuple(report.TIER_RATIOS)
    for key in tier_ratios:
        small['ratios'][key] = large['ratios'].get(key)
    # keep the key order of the issue: the tier ratios before p99 and rss
    order = ('open_dossier_vs_acl_anchor', 'mixed_vs_hello', *tier_ratios,
             'p99_over_p50_max', 'rss_mib')
    small['ratios'] = {k: small['ratios'][k] for k in order if k in small['ratios']}
    small['compared_with'] = f'L-{store_name}.json of {large["run_at"]}'
    small['verdicts'] = report.verdicts(small['ratios'], 'S')
    write_results(small)


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
    parser.add_argument('--generate-only', action='store_true',
                        help='build (or check) the database, measure nothing')
    args = parser.parse_args(argv)
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
        if results['one_client']:
            log(one_client_line(name, args.storage, results['one_client']))
        lines.append(report.summary_line(name, args.storage, results['ratios'])
                     + noisy_note(results))
    if args.tier in ('L', 'both'):
        share_tier_ratios(args.storage)
    for line in lines[:-1]:
        log(line)
    log(lines[-1])


if __name__ == '__main__':
    main()
