"""Was the machine quiet? The load average before each phase of a run (issue 20).

The benchmark measures one machine; anything else running on it (a test
suite, another benchmark) slows every figure.  :class:`LoadWatch` reads the
load average (``os.getloadavg()``, or an injected function) just before each
phase starts, and a run where any phase started with a 1-minute load
average above :data:`NOISY_LOAD` is *noisy*: its figures are kept, but
flagged in the results file, the printed summary and ``bench/table.py``.
"""
import os

#: the 1-minute load average above which a phase starts on a busy machine
#: (the benchmark's own server and clients use at most the 2 cores it was
#: written for; a quiet 2-core machine between two phases stays below)
NOISY_LOAD = 1.5


class LoadWatch:
    """The load averages read before each phase, by phase name."""

    def __init__(self, load=None, limit=NOISY_LOAD):
        self.load = load or os.getloadavg
        self.limit = limit
        self.before_phase = {}

    def before(self, phase):
        """Read the load average now, as the one before ``phase``; return it."""
        self.before_phase[phase] = [round(value, 2) for value in self.load()]
        return self.before_phase[phase]

    def noisy_phases(self):
        """The phases that started with a 1-minute load average above the limit."""
        return [phase for phase, load in self.before_phase.items() if load[0] > self.limit]

    def figures(self):
        """What the results file holds: every reading, and the verdict."""
        noisy = self.noisy_phases()
        return {'load_before_phase': dict(self.before_phase), 'noisy': bool(noisy),
                'noisy_phases': noisy, 'noisy_above': self.limit}


def noisy_note(results):
    """`` (NOISY: ...)`` for a noisy run's summary, else ``''`` (older results
    files, without the readings, are not flagged)."""
    if not results.get('noisy'):
        return ''
    phases = results.get('noisy_phases') or []
    loads = results.get('load_before_phase') or {}
    worst = max((loads[p][0] for p in phases if p in loads), default=None)
    peak = f', up to {worst:g}' if worst is not None else ''
    return (f' (NOISY: 1-minute load above {results.get("noisy_above", NOISY_LOAD):g} '
            f'before {len(phases)} phase(s){peak}: {", ".join(phases)})')
