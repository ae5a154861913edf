"""Measure ``portail-import`` (issue 19): ``python -m bench.importing [--lines N]``.

On a fresh FileStorage database made by ``portail-init`` (with the cache
sizes of ``production.ini``), with the 40 districts of tier L, it imports
an accounts file (the 500 workers and 80 secretaries of tier L), then
writes a dossiers file of ``--lines`` lines (100 000 by default: tier L)
and runs ``portail-import`` on it three times, each in its own process:
the dry run, the real run (``--apply``), and the same file again (every
line unchanged).  For each run: the wall time, the lines per second and
the process's peak resident memory (``resource.getrusage`` of the child).
The figures go to ``bench/results/import-<lines>.json`` and to standard
output; the targets of issue 19: the whole tier L file applied in under
5 minutes, under 1 GiB.

The file is deterministic (seeded): identities are unique (no line is
rejected as a possible duplicate); 90 % of the lines have a current
contract (entered 50 %, draft 15 %, closed 20 %, paper 5 %).
"""
import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench.generate import FIRST_NAMES, LAST_NAMES, STREETS

RESULTS = Path(__file__).resolve().parent / 'results'
SEED = 19
DISTRICTS = 40
WORKERS = 500
#: the fixed clock of the run (contract dates are around it)
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
#: ``contrat_etat`` and its weight ('' : no contract)
STATES = (('saisi', 50), ('brouillon', 15), ('clos', 20), ('papier', 5), ('', 10))
#: issue 19's targets for the tier L file
TARGET_SECONDS = 300
TARGET_BYTES = 1 << 30

INI = """[app:main]
use = egg:portail
zodbconn.uri = file://{var}/Data.fs?connection_cache_size=50000
zodbconn.uri.sessions = file://{var}/Sessions.fs?connection_cache_size=2000
zodbconn.uri.journal = file://{var}/Journal.fs?connection_cache_size=5000
portail.journal_key_file = {var}/journal.key
portail.fixed_clock = {now}
portail.public_url = http://localhost
"""


def district_name(number):
    return f'Circonscription {number}'


def write_accounts(path):
    with open(path, 'w', encoding='utf-8') as file:
        file.write('id_externe;identifiant;nom_complet;roles;circonscription\n')
        for n in range(1, WORKERS + 1):
            district = 1 + (n - 1) % DISTRICTS
            file.write(f'AG-{n};worker{n};Travailleur {n};worker;{district_name(district)}\n')
        for d in range(1, DISTRICTS + 1):
            for k in (1, 2):
                file.write(f'SE-{d}-{k};secretary{d}-{k};Secrétaire {d}-{k};secretary;'
                           f'{district_name(d)}\n')


def write_dossiers(path, lines, seed=SEED):
    """A dossiers file of ``lines`` lines, unique identities, worker n's
    dossiers in worker n's district."""
    rng = random.Random(seed)
    states, weights = zip(*STATES, strict=True)
    today = NOW.date()
    seen = set()
    with open(path, 'w', encoding='utf-8') as file:
        file.write('id_externe;nom;prenoms;date_naissance;circonscription;referent;adresse;'
                   'telephone;email;taille_foyer;contrat_etat;contrat_debut;'
                   'contrat_duree_mois;contrat_revision\n')
        for n in range(1, lines + 1):
            while True:
                identity = (rng.choice(LAST_NAMES), rng.choice(FIRST_NAMES),
                            date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 55)))
                if identity not in seen:
                    seen.add(identity)
                    break
            last, first, born = identity
            worker = 1 + n % WORKERS
            district = 1 + (worker - 1) % DISTRICTS
            state = rng.choices(states, weights)[0]
            start = months = review = ''
            if state:
                begin = today - timedelta(days=rng.randrange(20, 300))
                start, months = begin.isoformat(), str(rng.choice((3, 6, 6, 12)))
                review = (begin + timedelta(days=60)).isoformat()
            address = f'{rng.randrange(1, 200)} {rng.choice(STREETS)}, 59000 Lille'
            file.write(';'.join((
                f'P-{n:07d}', last, first, born.isoformat(), district_name(district),
                f'worker{worker}', address, f'03 20 {n % 100:02d} {n // 100 % 100:02d} 00', '',
                str(rng.randrange(1, 6)), state, start, months, review)) + '\n')


def prepare(folder):
    """A fresh database with the districts; return the ini file's path."""
    from portail.models.district import add_district
    from portail.scripts import application, init, portal_root

    var = folder / 'var'
    ini = folder / 'bench-import.ini'
    ini.write_text(INI.format(var=var, now=NOW.isoformat()))
    if init.main([str(ini)]) != 0:
        raise SystemExit('portail-init failed')
    with application(str(ini)) as registry, portal_root(registry, 'districts') as root:
        for d in range(1, DISTRICTS + 1):
            add_district(root, district_name(d), f'CLI {d}')
    return ini


def timed(*args):
    """Run ``portail-import`` with ``args`` in a process of its own; return
    ``(seconds, peak resident bytes, exit status, last lines of its report)``."""
    command = [sys.executable, '-c', 'import sys; from portail.scripts.importer import main; '
               'sys.exit(main(sys.argv[1:]))', *args]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE,  # noqa: S603
                               stderr=subprocess.DEVNULL, text=True)
    out = process.stdout.read()
    process.stdout.close()
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    peak = usage.ru_maxrss * 1024  # kibibytes on Linux
    return seconds, peak, process.returncode, out.splitlines()[-8:]


def main(argv=None):
    parser = argparse.ArgumentParser(description='Measure portail-import.')
    parser.add_argument('--lines', type=int, default=100_000)
    parser.add_argument('--folder', help='where the database and files go (default: a '
                                         'temporary folder, removed at the end)')
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix='portail-import-bench-') as scratch:
        folder = Path(args.folder or scratch)
        folder.mkdir(parents=True, exist_ok=True)
        ini = prepare(folder)
        accounts, dossiers = folder / 'comptes.csv', folder / 'dossiers.csv'
        write_accounts(accounts)
        write_dossiers(dossiers, args.lines)
        runs = {}
        seconds, peak, status, _out = timed(str(ini), '--accounts', str(accounts), '--apply')
        print(f'accounts: {WORKERS + 2 * DISTRICTS} in {seconds:.1f} s (exit {status})')
        for name, extra in (('dry_run', ()), ('apply', ('--apply',)),
                            ('again', ('--apply',))):
            seconds, peak, status, out = timed(str(ini), '--dossiers', str(dossiers), *extra)
            runs[name] = {'seconds': round(seconds, 1), 'lines_per_second':
                          round(args.lines / seconds), 'peak_rss_mib': round(peak / 2**20),
                          'exit': status, 'report': out}
            print(f'{name:8} {seconds:7.1f} s  {args.lines / seconds:7.0f} lines/s  '
                  f'peak RSS {peak / 2**20:6.0f} MiB  exit {status}')
            for line in out:
                print(f'    {line}')
        size = (folder / 'var' / 'Data.fs').stat().st_size
        journal = (folder / 'var' / 'Journal.fs').stat().st_size
    apply = runs['apply']
    result = {
        'date': datetime.now(UTC).date().isoformat(),
        'machine': {'cpus': os.cpu_count(), 'python': platform.python_version(),
                    'load_average': os.getloadavg()},
        'lines': args.lines, 'runs': runs,
        'data_fs_mib': round(size / 2**20), 'journal_fs_mib': round(journal / 2**20),
        'targets': {'apply_seconds': TARGET_SECONDS, 'peak_rss_mib': TARGET_BYTES // 2**20,
                    'met': apply['seconds'] <= TARGET_SECONDS * args.lines / 100_000
                    and apply['peak_rss_mib'] <= TARGET_BYTES // 2**20},
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f'import-{args.lines}.json').write_text(json.dumps(result, indent=1) + '\n')
    print(f'Data.fs {result["data_fs_mib"]} MiB, Journal.fs {result["journal_fs_mib"]} MiB; '
          f'targets met: {result["targets"]["met"]}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
