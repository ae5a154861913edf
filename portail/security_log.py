"""The security log: one JSON line per security event, for a log collector.

Events go to the ``portail.security`` logger.  Each record carries the
fixed fields of :data:`FIELDS` as attributes; the ini files give the logger
a handler whose formatter, python-json-logger's ``JsonFormatter`` with
:data:`FORMAT`, writes them as one JSON object per line (and nothing else: a
field not named in the format is left out).  docs/security-log.md describes
the lines, the event codes and how to collect them.

What a line may hold is deliberately poor: the time (from the portal's
clock, ISO 8601 UTC), a fixed event code, the pseudonymous account ids
(``uid``, a random hex string), the client address, a resource path made of
fixed container names and random ids, a registered view name and a fixed
reason code.  Never a login (a login typed in the login form may be a
password typed in the wrong field), a person's name, or anything a visitor
typed.

Without a logging configuration for ``portail.security`` the records
propagate to the ``portail`` and root loggers like any other, their message
being the event code.  (The formatter is python-json-logger's own class, not
one of this package: ``fileConfig`` would import the whole portal before
configuring the loggers, and disable the loggers that import created.)
"""
import logging
from datetime import UTC

from pyramid.traversal import resource_path

from portail.clock import utcnow

LOGGER_NAME = 'portail.security'
log = logging.getLogger(LOGGER_NAME)

# Event codes (docs/security-log.md describes each one).
LOGIN_SUCCESS = 'login.success'
LOGIN_FAILURE = 'login.failure'
LOGOUT = 'logout'
ACCOUNT_LOCKED = 'account.locked'
ACCOUNT_UNLOCKED = 'account.unlocked'
ACCOUNT_CREATED = 'account.created'
ACCOUNT_DISABLED = 'account.disabled'
ACCOUNT_ENABLED = 'account.enabled'
ACCOUNT_ACTIVATED = 'account.activated'
ACTIVATION_FAILURE = 'activation.failure'
PASSWORD_CHANGED = 'password.changed'  # noqa: S105 (an event code)
PASSWORD_RESET = 'password.reset'  # noqa: S105 (an event code)
ROLES_CHANGED = 'roles.changed'
SESSION_REPLACED = 'session.replaced'
SESSION_EXPIRED = 'session.expired'
CSRF_REFUSED = 'csrf.refused'
ACCESS_DENIED = 'access.denied'
SECOND_FACTOR_ENROLLED = 'second-factor.enrolled'
SECOND_FACTOR_FAILURE = 'second-factor.failure'
RECOVERY_CODE_USED = 'second-factor.recovery-code-used'
SECOND_FACTOR_RESET = 'second-factor.reset'
RECOVERY_CODES_RENEWED = 'second-factor.recovery-codes-renewed'
CHARTER_ACCEPTED = 'charter.accepted'
CHARTER_REFUSED = 'charter.refused'
CHARTER_PUBLISHED = 'charter.published'
FEED_TOKEN_REFUSED = 'feed.token-refused'  # noqa: S105 (an event code)

#: the level of each event: refusals and failures are warnings
EVENTS = {
    LOGIN_SUCCESS: logging.INFO,
    LOGIN_FAILURE: logging.WARNING,
    LOGOUT: logging.INFO,
    ACCOUNT_LOCKED: logging.WARNING,
    ACCOUNT_UNLOCKED: logging.INFO,
    ACCOUNT_CREATED: logging.INFO,
    ACCOUNT_DISABLED: logging.INFO,
    ACCOUNT_ENABLED: logging.INFO,
    ACCOUNT_ACTIVATED: logging.INFO,
    ACTIVATION_FAILURE: logging.WARNING,
    PASSWORD_CHANGED: logging.INFO,
    PASSWORD_RESET: logging.INFO,
    ROLES_CHANGED: logging.INFO,
    SESSION_REPLACED: logging.INFO,
    SESSION_EXPIRED: logging.INFO,
    CSRF_REFUSED: logging.WARNING,
    ACCESS_DENIED: logging.WARNING,
    SECOND_FACTOR_ENROLLED: logging.INFO,
    SECOND_FACTOR_FAILURE: logging.WARNING,
    RECOVERY_CODE_USED: logging.WARNING,
    SECOND_FACTOR_RESET: logging.INFO,
    RECOVERY_CODES_RENEWED: logging.INFO,
    CHARTER_ACCEPTED: logging.INFO,
    CHARTER_REFUSED: logging.WARNING,
    CHARTER_PUBLISHED: logging.INFO,
    FEED_TOKEN_REFUSED: logging.WARNING,
}

#: the fields of a line, in their order (``null`` when they do not apply)
FIELDS = ('time', 'event', 'user', 'address', 'target', 'object', 'view', 'reason')
#: the ``format`` of the ``[formatter_security]`` sections of the ini files
FORMAT = ' '.join(f'%({field})s' for field in FIELDS)

_REQUESTER = object()


def _requester_uid(request):
    # imported here: the session module logs events through this one
    from portail.auth.sessions import current_identity

    identity = current_identity(request)
    return identity.uid if identity is not None else None


def security_event(request, event, user=_REQUESTER, target=None, object_path=None, view=None,
                   reason=None):
    """Log ``event`` (one of :data:`EVENTS`) for ``request``.

    ``user`` is the uid of the account the event is about (login events) or
    of the account acting (by default, the account of the request's session;
    ``None`` when there is none or the login is unknown); ``target`` is the
    uid of the account acted upon by an administrator; ``object_path`` and
    ``view`` say what was refused; ``reason`` is a fixed code.
    """
    level = EVENTS[event]
    if not log.isEnabledFor(level):
        return
    if user is _REQUESTER:
        user = _requester_uid(request)
    fields = {
        'time': utcnow(request.registry).astimezone(UTC).isoformat(timespec='milliseconds'),
        'event': event,
        'user': user,
        'address': request.remote_addr,
        'target': target,
        'object': object_path,
        'view': view,
        'reason': reason,
    }
    log.log(level, event, extra=fields)


def access_denied(request):
    """Log a 403 answer: the refused resource's path (container names and
    random ids, as traversal found them) and the view's registered name."""
    context = getattr(request, 'context', None)
    path = resource_path(context) if getattr(context, '__name__', None) is not None else None
    security_event(request, ACCESS_DENIED, object_path=path,
                   view=getattr(request, 'view_name', None) or None)


def csrf_refused(request):
    """Log a form refused for its missing or stale CSRF token."""
    security_event(request, CSRF_REFUSED, view=getattr(request, 'view_name', None) or None)
