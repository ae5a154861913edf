"""The portal's clock: the real one, unless ``portail.fixed_clock`` (tests and
the benchmark only) fixes it at a moment."""
from datetime import UTC, datetime, timedelta

from portail import main
from portail.clock import SystemClock, utcnow
from tests.conftest import TEST_SETTINGS


def clock_of(**settings):
    return utcnow(main({}, **dict(TEST_SETTINGS, **settings)).registry)


def test_without_the_setting_the_portal_runs_on_the_real_clock():
    before = SystemClock().now()
    now = clock_of()
    assert before <= now <= SystemClock().now()
    assert clock_of(**{'portail.fixed_clock': ''}) >= before


def test_the_fixed_clock_shows_its_moment_in_utc():
    moment = datetime(2031, 3, 30, 1, 30, tzinfo=UTC)
    assert clock_of(**{'portail.fixed_clock': '2031-03-30T01:30:00+00:00'}) == moment
    # without an offset: UTC; with one: converted (03:30 in Paris, summer time)
    assert clock_of(**{'portail.fixed_clock': '2031-03-30 01:30'}) == moment
    fixed = clock_of(**{'portail.fixed_clock': '2031-03-30T03:30:00+02:00'})
    assert fixed == moment and fixed.utcoffset() == timedelta(0)
