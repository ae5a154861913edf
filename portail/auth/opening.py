"""Opening a session once an account has proved who it is (docs/domain.md,
*Sessions*): by its password (:mod:`portail.views.auth`), its password and
second factor, or the identity provider.

Every way in ends here, so every way in gets the same session rules
(:mod:`portail.auth.sessions`), the same welcome naming the previous login,
and the same notices of password resets.
"""
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.security import remember

from portail.auth import sessions, steps
from portail.auth.login import reset_notices
from portail.flash import flash_session
from portail.i18n import _
from portail.timefmt import format_datetime


def open_session(request, user, method=steps.LOCAL_LOGIN):
    """Open ``user``'s session (``method``: how they proved who they are) and
    return the redirect to the home page, which carries the session cookie.
    The home page, or the first pending step (:mod:`portail.auth.steps`),
    comes next."""
    headers = remember(request, user.uid, method=method)
    session = sessions.session_store(request)[user.session_key]
    if user.previous_login is None:
        message = _('Welcome. This is the first login of this account.')
    else:
        when, origin = user.previous_login
        message = _(
            'Welcome. Previous login of this account: ${when} from ${origin}. '
            'If it was not you, tell the account administrator.',
            mapping={'when': format_datetime(when), 'origin': origin or '?'})
    flash_session(request, session, message)
    for notice in reset_notices(request.root.users, user, request.localizer.translate):
        flash_session(request, session, notice, 'error')
    return HTTPSeeOther(request.resource_url(request.root), headers=headers)
