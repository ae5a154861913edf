"""Was the machine quiet? What else ran before each phase of a run (issue 20).

The benchmark measures one machine; anything else running on it (a test
suite, another benchmark) slows every figure.  Just before each phase
starts, :class:`LoadWatch` reads two things:

- the load average (``os.getloadavg()``), recorded as issue 20 asks;
- the CPU that *other* processes used during a short pause
  (:data:`WINDOW` seconds) while the benchmark itself is idle: the busy time
  of the whole machine (``/proc/stat``) minus that of the benchmark's own
  processes (this one, its portal servers, its ZEO server: ``/proc/<pid>``
  of this process and its descendants), in cores.

A run is *noisy* when other processes used more than :data:`NOISY_OTHERS`
core before any phase: its figures are kept, but flagged in the results
file, the printed summary and ``bench/table.py``.

Why not the load average itself above 1.5, as issue 20 first put it?  The
1-minute load average is a moving average with a one-minute time constant,
and a phase of 16 clients on a 2-core machine drives it to 3 to 5: the next
phase starts with the benchmark's *own* previous phase still in it.  A
quiet run on this machine (nothing else running, 30 November 2026) read
2.4 to 5.2 before every one of its 20 phases; waiting before each phase
until the average falls back below 1.5 would take about a minute a phase.
The load average is still recorded for every phase, and the one read before
the first phase is the machine's state before the run.
"""
import os
import time

#: the cores other processes may use before a phase of a quiet run
NOISY_OTHERS = 0.5
#: the pause, in seconds, over which the other processes' CPU is measured
WINDOW = 1.0
#: the load average issue 20 named; recorded, shown, no longer the verdict
NOISY_LOAD = 1.5

_TICKS = os.sysconf('SC_CLK_TCK') if hasattr(os, 'sysconf') else 100


def machine_busy_ticks():
    """Busy clock ticks of all the machine's cores since boot (``/proc/stat``:
    everything but idle and iowait), or ``None`` where there is no ``/proc``."""
    try:
        with open('/proc/stat') as stat:
            fields = stat.readline().split()[1:]
    except OSError:
        return None
    values = [int(x) for x in fields]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    # guest time is already counted in user time
    return sum(values[:8]) - idle


def _children(pid):
    try:
        with open(f'/proc/{pid}/task/{pid}/children') as children:
            return [int(x) for x in children.read().split()]
    except OSError:
        return []


def own_ticks(root=None):
    """User + system ticks of process ``root`` (this one by default) and of
    all its descendants alive now."""
    total, todo = 0, [root or os.getpid()]
    while todo:
        pid = todo.pop()
        try:
            with open(f'/proc/{pid}/stat') as stat:
                fields = stat.read().rpartition(')')[2].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
        todo.extend(_children(pid))
    return total


def other_cores(window=WINDOW, sleep=time.sleep):
    """The cores that processes other than the benchmark's used during a
    pause of ``window`` seconds (``None`` without ``/proc``)."""
    busy, own = machine_busy_ticks(), own_ticks()
    if busy is None:
        return None
    start = time.monotonic()
    sleep(window)
    elapsed = time.monotonic() - start
    others = (machine_busy_ticks() - busy) - (own_ticks() - own)
    return max(0.0, others / _TICKS / elapsed)


class LoadWatch:
    """The load averages and the other processes' CPU read before each
    phase, by phase name.  ``load`` and ``others`` may be injected (tests)."""

    def __init__(self, load=None, others=None, limit=NOISY_OTHERS):
        self.load = load or os.getloadavg
        self.others = others or other_cores
        self.limit = limit
        self.before_phase = {}
        self.others_before_phase = {}

    def before(self, phase):
        """Read the load average and the other processes' CPU now, as those
        before ``phase``; return the load average."""
        others = self.others()
        self.others_before_phase[phase] = None if others is None else round(others, 2)
        self.before_phase[phase] = [round(value, 2) for value in self.load()]
        return self.before_phase[phase]

    def noisy_phases(self):
        """The phases before which other processes used more than the limit."""
        return [phase for phase, others in self.others_before_phase.items()
                if others is not None and others > self.limit]

    def figures(self):
        """What the results file holds: every reading, and the verdict."""
        noisy = self.noisy_phases()
        return {'load_before_phase': dict(self.before_phase),
                'other_cores_before_phase': dict(self.others_before_phase),
                'noisy': bool(noisy), 'noisy_phases': noisy, 'noisy_other_cores': self.limit}


def noisy_note(results):
    """`` (NOISY: ...)`` for a noisy run's summary, else ``''`` (older results
    files, without the readings, are not flagged)."""
    if not results.get('noisy'):
        return ''
    phases = results.get('noisy_phases') or []
    if 'other_cores_before_phase' not in results:  # a run judged by its load average
        loads = results.get('load_before_phase') or {}
        worst = max((loads[p][0] for p in phases if p in loads), default=None)
        peak = f', up to {worst:g}' if worst is not None else ''
        return (f' (NOISY: 1-minute load above {results.get("noisy_above", NOISY_LOAD):g} '
                f'before {len(phases)} phase(s){peak}: {", ".join(phases)})')
    others = results['other_cores_before_phase']
    worst = max((others[p] for p in phases if others.get(p) is not None), default=None)
    peak = f', up to {worst:g}' if worst is not None else ''
    return (f' (NOISY: other processes used more than '
            f'{results.get("noisy_other_cores", NOISY_OTHERS):g} core before {len(phases)} '
            f'phase(s){peak}: {", ".join(phases)})')
