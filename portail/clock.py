"""The portal's clock, injectable so that tests move time instead of sleeping.

All code asks :func:`utcnow` for the time, scripts included; tests register
another :class:`IClock` utility (see ``tests/conftest.py``) to jump forward
and check idle timeouts, password expiry or delegation end dates.

The ``portail.fixed_clock`` setting (an ISO 8601 date and time, for tests and
the benchmark only) replaces the real clock by a :class:`FixedClock` showing
that moment: the script tests and the command-line tools they run then date
everything from it, whatever the real date is.
"""
from datetime import UTC, datetime

from zope.interface import Interface, implementer


class IClock(Interface):
    """A utility with a ``now()`` method returning an aware UTC datetime."""


@implementer(IClock)
class SystemClock:
    """The real clock."""

    def now(self):
        return datetime.now(UTC)


@implementer(IClock)
class FixedClock:
    """A clock that shows ``current`` until someone sets it (tests, the
    benchmark's generator, which dates what it writes)."""

    def __init__(self, now):
        self.current = now

    def now(self):
        return self.current


def utcnow(registry):
    """Return the current aware UTC datetime according to ``registry``."""
    return registry.getUtility(IClock).now()


def parse_fixed_time(text):
    """The aware UTC datetime of ``text`` (ISO 8601; without an offset, UTC)."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def includeme(config):
    fixed = config.registry.settings.get('portail.fixed_clock')
    clock = FixedClock(parse_fixed_time(fixed)) if fixed else SystemClock()
    config.registry.registerUtility(clock, IClock)
