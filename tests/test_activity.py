"""The per-day activity record of an account (portail.journal.activity):
its burst of reads, counted the same whatever the order the reads reach
the journal, and records written before issue 20 (recent reads as a tuple)
read and continued."""
import random
from datetime import UTC, datetime, timedelta

import pytest

from portail.journal.activity import BURST_WINDOW, Activity, stamps_of

NOON = datetime(2026, 11, 30, 11, 0, tzinfo=UTC)


def reference_burst(times):
    """The definition: the greatest number of reads, each counted with the
    reads received before it that are less than BURST_WINDOW older than it
    (or later than it)."""
    best, recent = 0, []
    window = BURST_WINDOW.total_seconds()
    for at in times:
        stamp = at.timestamp()
        recent = [t for t in recent if stamp - t < window] + [stamp]
        best = max(best, len(recent))
    return best


@pytest.mark.parametrize('seed', range(5))
def test_the_burst_is_the_definitions_even_with_late_reads(seed):
    rng = random.Random(seed)
    times = sorted(NOON + timedelta(seconds=rng.uniform(0, 3600)) for _ in range(300))
    # a few reads reach the journal late (a batch that waited)
    for _ in range(20):
        index = rng.randrange(1, len(times))
        times.insert(index - 1, times.pop(index))
    record = Activity()
    for at in times:
        record.add_read(at)
    assert record.reads == 300
    assert record.burst == reference_burst(times) > 1
    assert isinstance(record.recent, bytes)
    assert list(stamps_of(record.recent)) == sorted(stamps_of(record.recent))


def test_a_record_of_the_former_layout_goes_on_counting():
    record = Activity()
    first = [NOON + timedelta(minutes=m) for m in (0, 1, 2)]
    # as written before: a tuple of POSIX times, newest last
    record.reads, record.burst = 3, 3
    record.recent = tuple(at.timestamp() for at in first)
    record.add_read(NOON + timedelta(minutes=3))
    assert record.burst == 4
    record.add_read(NOON + timedelta(minutes=11, seconds=30))  # the first two are out
    assert record.burst == 4 and len(stamps_of(record.recent)) == 3
    assert record.reads == 5
