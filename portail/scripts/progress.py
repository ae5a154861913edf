"""Progress of the long commands (evolve steps, retention, journal verify and
anchor): what a person at a terminal or a log reader sees while they run.

:class:`Progress` counts the items a work loop handles (:meth:`Progress.advance`):

* on a terminal (its ``stream``, standard error by default, is a tty): one
  line updated in place by ``tqdm``, a bar with ``count/total``, the rate
  and the time left (count and rate only when the total is unknown), left
  on the screen when done;
* otherwise (cron, systemd, a pipe): a line through :mod:`logging` (the
  ``portail.progress`` logger, at INFO) every ``every`` seconds of ``clock``,
  then one summary line at :meth:`Progress.close` (with the time taken
  and the rate when the run lasted a period or more).  Should logging not be
  configured to show them (no handler, or a level above INFO, as with an
  ini file without logging sections), the lines go to ``stream``.

The loops give a total only when it costs nothing extra (the ``len()`` of a
list or BTree they read anyway); an unknown total is ``None``.  A loop over
a file counts its bytes (``unit='B'``: shown in KiB, MiB...), whose total
is the file's size, where its lines are unknown until read (``portail-import``).
"""
import logging
import os
import sys
import time

from tqdm import tqdm

log = logging.getLogger('portail.progress')

#: the clock of the periodic lines by default (tests replace it)
monotonic = time.monotonic


def write(text):
    """Print ``text`` on standard output without breaking a bar being drawn."""
    tqdm.write(text)


class Silent:
    """A :class:`Progress` that shows nothing (a loop run by the portal or the tests)."""

    def __init__(self, total=None, label='', **kw):
        self.total, self.label, self.count = total, label, 0

    def advance(self, n=1):
        self.count += n

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass


def _size(stream):
    """``(columns, lines)`` of the terminal ``stream``, zeros if it tells none."""
    try:
        return tuple(os.get_terminal_size(stream.fileno()))
    except (OSError, ValueError, AttributeError):
        return 0, 0


def _bytes(count):
    """``count`` bytes in a readable unit: ``512 B``, ``1.5 MiB``."""
    size, unit = float(count), 'B'
    for bigger in ('KiB', 'MiB', 'GiB'):
        if size < 1024:
            break
        size, unit = size / 1024, bigger
    return f'{size:.0f} B' if unit == 'B' else f'{size:.1f} {unit}'


def _duration(seconds):
    """``m:ss`` or ``h:mm:ss``."""
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f'{hours}:{minutes:02}:{secs:02}' if hours else f'{minutes}:{secs:02}'


class Progress:
    """The progress of one loop of ``total`` items (``None``: unknown), named
    ``label``; a context manager that closes it.  See the module docstring."""

    def __init__(self, total=None, label='', stream=None, every=10.0, clock=None, unit=''):
        self.total = total
        #: ``''``: items; ``'B'``: bytes
        self.unit = unit
        self.show = _bytes if unit == 'B' else str
        self.label = label
        self.stream = sys.stderr if stream is None else stream
        self.every = every
        self.clock = monotonic if clock is None else clock
        self.count = 0
        self.closed = False
        self.started = self.last = self.clock()
        isatty = getattr(self.stream, 'isatty', None)
        self.bar = None
        if isatty is not None and isatty():
            # a terminal that tells no size (a bare pseudo-terminal) gets 80 x 24
            sized = _size(self.stream) > (0, 0)
            self.bar = tqdm(total=total, desc=label, file=self.stream, dynamic_ncols=sized,
                            ncols=None if sized else 80, nrows=None if sized else 24,
                            leave=True, unit=unit, unit_scale=unit == 'B',
                            unit_divisor=1024, mininterval=0.2)

    def advance(self, n=1):
        """Count ``n`` more items done."""
        self.count += n
        if self.bar is not None:
            self.bar.update(n)
            return
        now = self.clock()
        if now - self.last >= self.every:
            self.last = now
            self._line(self._status(now))

    def close(self, summary=True):
        """End the bar, or log the summary line (once; none without ``summary``)."""
        if self.closed:
            return
        self.closed = True
        if self.bar is not None:
            self.bar.close()
            return
        if not summary:
            return
        elapsed = self.clock() - self.started
        total = ('' if self.total is None or self.total == self.count
                 else f' of {self.show(self.total)}')
        # a run shorter than a period says no time: its output is the same each time
        timing = f' in {_duration(elapsed)}{self._rate(elapsed)}' if elapsed >= self.every else ''
        self._line(f'{self.label}: done, {self.show(self.count)}{total}{timing}')

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc):
        # a loop stopped by an error says no "done": the error says what happened
        self.close(summary=exc_type is None)

    def _status(self, now):
        elapsed = now - self.started
        if self.total is None:
            return f'{self.label}: {self.show(self.count)} so far{self._rate(elapsed)}'
        percent = 100 * self.count // self.total if self.total else 100
        line = (f'{self.label}: {self.show(self.count)}/{self.show(self.total)} '
                f'({percent}%){self._rate(elapsed)}')
        if self.count and elapsed > 0:
            left = (self.total - self.count) * elapsed / self.count
            line += f', about {_duration(left)} left'
        return line

    def _rate(self, elapsed):
        if elapsed <= 0:
            return ''
        if self.unit == 'B':
            return f', {_bytes(self.count / elapsed)}/s'
        return f', {self.count / elapsed:.1f}/s'

    def _line(self, text):
        if log.isEnabledFor(logging.INFO) and log.hasHandlers():
            log.info('%s', text)
        else:
            print(text, file=self.stream, flush=True)
