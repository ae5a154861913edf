"""Markdown tables of results files, as bench/README.md shows them.

``python -m bench.table bench/results/S-file.json bench/results/L-file.json``
"""
import json
import sys

from bench.noise import NOISY_LOAD, NOISY_OTHERS
from bench.report import SCALE_OUT_KEY, TARGETS, verdicts
from bench.run import ONE_CLIENT, OPERATIONS


def load(paths):
    return [json.loads(open(path).read()) for path in paths]


def run_name(run):
    """A column's name: tier/storage, flagged when the run was noisy (bench/noise.py)."""
    return f'{run["tier"]}/{run["storage"]}' + (' (noisy)' if run.get('noisy') else '')


def noisy_lines(runs):
    """A warning above the tables for the noisy runs, if any."""
    lines = []
    for run in runs:
        if not run.get('noisy'):
            continue
        phases = run.get('noisy_phases') or ()
        if 'other_cores_before_phase' in run:
            others = run['other_cores_before_phase']
            named = ', '.join(f'{p} ({others[p]:g})' if others.get(p) is not None else p
                              for p in phases)
            what = (f'other processes used more than '
                    f'{run.get("noisy_other_cores", NOISY_OTHERS):g} core before {named}.')
        else:  # judged by the load average (runs of before 30 November 2026)
            loads = run.get('load_before_phase') or {}
            named = ', '.join(f'{p} ({loads[p][0]:g})' if p in loads else p for p in phases)
            what = (f'1-minute load average above '
                    f'{run.get("noisy_above", NOISY_LOAD):g} before {named}.')
        lines.append(f'**Noisy run {run["tier"]}/{run["storage"]}** of {run["run_at"]}: {what}')
    return '\n'.join(lines)


def one_client_table(runs):
    """p50 / p99 of the one-client phases (results files without them: not measured)."""
    lines = ['| operation, one client | ' + ' | '.join(f'{run_name(r)} p50 / p99 ms'
                                                    for r in runs) + ' |',
             '|---|' + '---|' * len(runs)]
    for row in ONE_CLIENT:
        cells = []
        for run in runs:
            f = (run.get('one_client') or {}).get(row)
            if not f or f.get('p50_ms') is None:
                cells.append('not measured')
                continue
            errors = f' ({f["errors"]} errors)' if f.get('errors') else ''
            cells.append(f'{f["p50_ms"]:g} / {f["p99_ms"]:g}' + errors)
        lines.append(f'| {row.replace("_", " ")} | ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def load_cell(run):
    """The highest 1-minute load average read before a phase, and the verdict."""
    loads = run.get('load_before_phase')
    if not loads:
        return '—'
    return f'{max(x[0] for x in loads.values()):.1f} ({"noisy" if run.get("noisy") else "quiet"})'


def others_cell(run):
    """The most CPU other processes used before a phase, in cores."""
    others = [x for x in (run.get('other_cores_before_phase') or {}).values() if x is not None]
    return f'{max(others):.2f}' if others else '—'


def operations_table(runs):
    names = [run_name(r) for r in runs]
    lines = ['| operation | ' + ' | '.join(f'{n} req/s · p50 / p95 / p99 ms' for n in names)
             + ' |', '|---|' + '---|' * len(runs)]
    rows = list(OPERATIONS) + ['mixed', 'anchor: hello', 'anchor: traversal + ACL']
    for row in rows:
        cells = []
        for run in runs:
            if row == 'mixed':
                f = run['mixed']
            elif row.startswith('anchor'):
                f = run['anchors']['hello' if 'hello' in row else 'acl']
            else:
                f = run['operations'].get(row)
            if not f:
                cells.append('not measured')
                continue
            errors = f' ({f["errors"]} errors)' if f.get('errors') else ''
            cells.append(f'{f["rps"]:g} · {f["p50_ms"]:g} / {f["p95_ms"]:g} / {f["p99_ms"]:g}'
                         + errors)
        lines.append(f'| {row.replace("_", " ")} | ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def ratios_table(runs):
    names = [run_name(r) for r in runs]
    lines = ['| ratio | target | ' + ' | '.join(names) + ' |', '|---|---|' + '---|' * len(runs)]
    for name, (comparison, target) in TARGETS.items():
        cells = []
        for run in runs:
            v = verdicts(run['ratios'], run['tier']).get(name)
            if v is None:
                cells.append('—')
                continue
            value = 'missing' if v['value'] is None else f'{v["value"]:g}'
            mark = {True: 'met', False: 'missed', None: 'target is for L'}[v['met']]
            distance = ''
            if v['value'] is not None and v['met'] is False:
                distance = f', {v["value"] / target:.2f}× the target'
            cells.append(f'{value} ({mark}{distance})')
        lines.append(f'| `{name}` | {comparison} {target:g} | ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def scale_out_table(runs):
    """The scale-out phases (``--processes N``) of the runs that have them,
    and the ratio a file run took from a ZEO run (``scale_out_from``); ``''``
    when no run has either."""
    if not any(r.get('scale_out') or r.get('scale_out_from') for r in runs):
        return ''
    lines = ['| scale-out | ' + ' | '.join(run_name(r) for r in runs) + ' |',
             '|---|' + '---|' * len(runs)]
    scales = [r.get('scale_out') or {} for r in runs]

    def phase_cell(scale, which):
        if not scale:
            return '—'
        n = '1' if which == 'one' else str(scale['processes'])
        f = scale['phases'][n]
        errors = f' ({f["errors"]} errors)' if f.get('errors') else ''
        return f'{f["rps"]:g} · {f["p50_ms"]:g} / {f["p99_ms"]:g}' + errors

    def ratio_cell(run, scale):
        if scale:
            return f'`{scale["ratio_key"]}` = {scale["ratio"]}'
        if run.get('scale_out_from'):
            return (f'`{SCALE_OUT_KEY}` = {run["ratios"].get(SCALE_OUT_KEY)}, '
                    f'from {run["scale_out_from"]}')
        return '—'

    rows = (
        ('operation, clients', lambda r, s: f'{s["operation"].replace("_", " ")}, '
                                            f'{s["clients"]}' if s else '—'),
        ('1 process: req/s · p50 / p99 ms', lambda r, s: phase_cell(s, 'one')),
        ('N processes: req/s · p50 / p99 ms', lambda r, s: phase_cell(s, 'all')),
        ('processes (N)', lambda r, s: s['processes'] if s else '—'),
        ('requests per process (N processes, warm-up included)',
         lambda r, s: ' / '.join(str(sum(x.values())) for x in s['statuses_by_process'])
         if s else '—'),
        ('ratio', ratio_cell),
        ('CPU seconds, 1 process: clients / portal / ZEO (cores busy)',
         lambda r, s: cpu_cell(s, '1')),
        ('CPU seconds, N processes: clients / portal each / ZEO (cores busy)',
         lambda r, s: cpu_cell(s, str(s['processes'])) if s else '—'),
        ('peak RSS per process (MiB)',
         lambda r, s: ' / '.join(map(str, r['rss_mib_per_process']))
         if r.get('rss_mib_per_process') else '—'),
    )
    for label, get in rows:
        lines.append(f'| {label} | ' + ' | '.join(str(get(r, sc)) for r, sc in
                                                   zip(runs, scales, strict=True)) + ' |')
    return '\n'.join(lines)


def cpu_cell(scale, count):
    """Where the CPU went during a scale-out phase (bench/run.py: cpu_used)."""
    used = ((scale or {}).get('cpu_seconds') or {}).get(count)
    if not used:
        return '—'
    portal = ' + '.join(str(x) for x in used['portal'])
    return (f'{used["load_generator"]} / {portal} / {used["storage"] or "—"} '
            f'({used["cores_busy"]} of {scale.get("cpus", "?")} cores, '
            f'{used["wall_seconds"]} s)')


def others_table(runs):
    names = [run_name(r) for r in runs]
    lines = ['| figure | ' + ' | '.join(names) + ' |', '|---|' + '---|' * len(runs)]
    rows = (
        ('portal processes', lambda r: (r.get('settings') or {}).get('processes', 1)),
        ('peak RSS of the server (MiB; the largest process)', lambda r: r['rss_mib']),
        ('cold start (s, spawn to first login page)', lambda r: r['cold_start_seconds']),
        ('main database per dossier, as generated (bytes)',
         lambda r: r.get('storage_bytes_per_dossier')),
        ('journal per dossier, as generated (bytes)',
         lambda r: r.get('journal_bytes_per_dossier')),
        ('generation (s)', lambda r: r.get('generation_seconds')),
        ('server GC: collections gen0/1/2, seconds, longest ms',
         lambda r: gc_cell(r.get('server_gc'))),
        ('failed login attempts (retried)', lambda r: r.get('failed_login_attempts')),
        ('highest 1-minute load average before a phase', load_cell),
        ('most cores used by other processes before a phase', others_cell),
        ('load average at the end', lambda r: ' '.join(f'{x:.1f}' for x in
                                                      r['machine']['load_average'])),
        ('run at (UTC)', lambda r: r['run_at']),
    )
    for label, get in rows:
        lines.append(f'| {label} | ' + ' | '.join(str(get(r)) for r in runs) + ' |')
    return '\n'.join(lines)


def gc_cell(gc):
    if not gc:
        return '—'
    return (f'{"/".join(map(str, gc["collections"]))}, {sum(gc["seconds"]):.2f} s, '
            f'{gc["longest_ms"]:g}')


def main(argv=None):
    runs = load(argv or sys.argv[1:])
    warning = noisy_lines(runs)
    if warning:
        print(warning, end='\n\n')
    print(operations_table(runs), end='\n\n')
    print(one_client_table(runs), end='\n\n')
    print(ratios_table(runs), end='\n\n')
    scale_out = scale_out_table(runs)
    if scale_out:
        print(scale_out, end='\n\n')
    print(others_table(runs))


if __name__ == '__main__':
    main()
