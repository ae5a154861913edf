"""The portal's clock, injectable so that tests move time instead of sleeping.

All code asks :func:`utcnow` for the time; tests register another
:class:`IClock` utility (see ``tests/conftest.py``) to jump forward and check
idle timeouts, password expiry or delegation end dates.
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


def includeme(config):
    config.registry.registerUtility(SystemClock(), IClock)
