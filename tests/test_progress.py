"""The progress of the long commands (issue 19, portail/scripts/progress.py):
on a terminal a bar updated in place, elsewhere a line every ten seconds and
a summary.  The terminal is a real pseudo-terminal; the periodic lines
follow a clock the test moves; the commands run as subprocesses
(``portail-evolve``, ``portail-journal``, ``portail-retention``) or through
their ``main`` with a moved clock."""
import logging
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from portail.scripts import evolve, journal, progress, retention
from portail.scripts.progress import Progress
from tests.test_scripts import INI

BIN = Path(sys.executable).parent


class Clock:
    """A monotonic clock that moves only when told, or by ``step`` at each reading."""

    def __init__(self, step=0.0):
        self.now, self.step = 1000.0, step

    def __call__(self):
        self.now += self.step
        return self.now


def read_all(fd):
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the other end is closed (Linux: EIO)
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b''.join(chunks).decode('utf-8', 'replace')


@pytest.fixture
def lines(caplog):
    caplog.set_level(logging.INFO, logger='portail.progress')
    return lambda: [r.getMessage() for r in caplog.records if r.name == 'portail.progress']


def test_a_pipe_gets_a_line_every_ten_seconds_and_a_summary(lines):
    clock = Clock()
    with Progress(total=100, label='work', stream=open(os.devnull, 'w'), clock=clock) as meter:
        for done in range(1, 101):
            clock.now += 0.5  # two items a second: a line every 20 items
            meter.advance()
            if done == 20:
                assert lines() == ['work: 20/100 (20%), 2.0/s, about 0:40 left']
    assert len(lines()) == 6  # five periodic lines and the summary
    assert lines()[-2] == 'work: 100/100 (100%), 2.0/s, about 0:00 left'
    assert lines()[-1] == 'work: done, 100 in 0:50, 2.0/s'


def test_an_unknown_total_gives_the_count_only(lines):
    clock = Clock()
    meter = Progress(label='chains', stream=open(os.devnull, 'w'), clock=clock, every=5)
    for _ in range(7):
        clock.now += 1
        meter.advance()
    meter.close()
    meter.close()  # once only
    assert lines() == ['chains: 5 so far, 1.0/s', 'chains: done, 7 in 0:07, 1.0/s']


def test_a_loop_stopped_early_says_how_far_it_went(lines):
    clock = Clock()
    with Progress(total=10, label='verify', stream=open(os.devnull, 'w'), clock=clock) as meter:
        meter.advance(3)
        clock.now += 3
    assert lines() == ['verify: done, 3 of 10']  # shorter than a period: no time said


def test_without_logging_configured_the_lines_go_to_the_stream(tmp_path):
    """A command run with an ini file without logging sections."""
    script = (
        'import io, sys\n'
        'from portail.scripts.progress import Progress\n'
        'with Progress(total=2, label="steps", stream=sys.stderr) as p:\n'
        '    p.advance(); p.advance()\n')
    result = subprocess.run([sys.executable, '-c', script],  # noqa: S603
                            capture_output=True, text=True, check=True)
    assert result.stderr == 'steps: done, 2\n'


def test_a_terminal_gets_one_bar_updated_in_place():
    primary, secondary = pty.openpty()
    script = (
        'import sys\n'
        'from portail.scripts.progress import Progress\n'
        'with Progress(total=40, label="dossiers", stream=sys.stderr) as p:\n'
        '    for _ in range(40): p.advance()\n')
    process = subprocess.Popen([sys.executable, '-c', script], stderr=secondary)  # noqa: S603
    os.close(secondary)
    seen = read_all(primary)
    process.wait()
    os.close(primary)
    assert process.returncode == 0
    assert '\r' in seen  # redrawn in place, on one line
    assert 'dossiers: 100%' in seen and '40/40' in seen
    assert '/s]' in seen  # the rate, and the time taken and left
    assert 'done,' not in seen  # no log line on a terminal


@pytest.fixture
def ini(tmp_path):
    path = tmp_path / 'test.ini'
    path.write_text(INI.format(var=tmp_path))
    return str(path)


def run(args, stderr, cwd):
    return subprocess.run([str(BIN / args[0]), *args[1:]], cwd=cwd, stdout=subprocess.PIPE,  # noqa: S603
                          stderr=stderr, text=True, input='', timeout=300)


def test_portail_evolve_on_a_terminal_and_through_a_pipe(ini, tmp_path):
    from portail.evolve import _steps

    steps = len(_steps())
    for name in ('Data.fs', 'Sessions.fs', 'Journal.fs'):
        import ZODB

        ZODB.DB(str(tmp_path / name)).close()
    result = run(['portail-evolve', ini, '--dry-run'], subprocess.PIPE, tmp_path)
    assert result.returncode == 0, result.stderr
    assert f'evolve steps: done, {steps}\n' in result.stderr
    primary, secondary = pty.openpty()
    process = subprocess.Popen([str(BIN / 'portail-evolve'), ini], cwd=tmp_path,  # noqa: S603
                               stdout=subprocess.PIPE, stderr=secondary, text=True)
    os.close(secondary)
    seen = read_all(primary)
    out, _ = process.communicate()
    os.close(primary)
    assert process.returncode == 0
    assert 'evolve steps: 100%' in seen and f'{steps}/{steps}' in seen
    assert f'{steps} step(s) run.' in out and 'evolve step 0001-create-portal-root' in out


def test_portail_journal_verify_and_anchor_report_their_chains(ini, tmp_path):
    from portail.scripts import init

    assert init.main([ini, '--demo']) == 0
    for command in ('verify', 'anchor'):
        result = run(['portail-journal', ini, command], subprocess.PIPE, tmp_path)
        assert result.returncode == 0, result.stderr
        assert re.search(rf'journal {command}: chains: done, \d+\n', result.stderr)


def test_portail_retention_reports_the_dossiers_looked_at(ini, tmp_path):
    from portail.scripts import init

    assert init.main([ini, '--demo']) == 0
    result = run(['portail-retention', ini], subprocess.PIPE, tmp_path)
    assert result.returncode == 0, result.stderr
    found = re.search(r'retention: dossiers looked at: done, (\d+)\n', result.stderr)
    assert found and int(found.group(1)) > 0


def test_periodic_lines_of_the_commands_follow_their_clock(ini, lines, monkeypatch, capsys):
    """Through ``main``: a clock that moves eleven seconds at each reading
    gives a line at every item."""
    from portail.scripts import init

    assert init.main([ini, '--demo']) == 0
    monkeypatch.setattr(progress, 'monotonic', Clock(step=11))
    assert retention.main([ini]) == 0
    looked_at = [line for line in lines() if line.startswith('retention: dossiers looked at')]
    total = int(re.search(r'/(\d+) ', looked_at[0]).group(1))
    assert looked_at[0].startswith(f'retention: dossiers looked at: 1/{total} (')
    assert len(looked_at) == total + 1 and ', about ' in looked_at[1]
    assert looked_at[-1].startswith(f'retention: dossiers looked at: done, {total} in ')
    assert journal.main([ini, 'verify']) == 0
    assert [line for line in lines() if line.startswith('journal verify: chains: 1/')]
    assert evolve.main([ini]) == 0  # nothing pending
    assert lines()[-1].startswith('evolve steps: done, 0 in 0:11')


def test_bytes_are_counted_in_readable_units_and_an_error_says_no_done(lines):
    clock = Clock()
    with Progress(total=3 * 2**20, label='file', stream=open(os.devnull, 'w'), clock=clock,
                  unit='B') as meter:
        clock.now += 10
        meter.advance(2**20 + 2**19)
        meter.advance(2**20 + 2**19)
    assert lines() == ['file: 1.5 MiB/3.0 MiB (50%), 153.6 KiB/s, about 0:10 left',
                       'file: done, 3.0 MiB in 0:10, 307.2 KiB/s']
    with pytest.raises(ValueError), Progress(total=10, label='broken',  # noqa: PT012
                                              stream=open(os.devnull, 'w'), clock=clock) as m:
        m.advance(4)
        raise ValueError('stopped')
    assert not [line for line in lines() if line.startswith('broken')]
