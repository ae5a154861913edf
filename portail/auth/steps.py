"""What an account must do after logging in before it reaches anything else
(docs/domain.md, *Sessions*).

A session is open as soon as the login succeeds, but while a step is
pending the account holds no role (:func:`portail.acl.principals.user_principals`
grants only ``Authenticated`` and its user principal): every page but the
step's own, the legal pages and logout is refused, and the refusal sends the
account to the step's page (:mod:`portail.views.errors`).

:data:`STEPS` lists the steps in the order they are asked, each as
``(name, needed)`` where ``needed(request, user, session, now)`` says whether
the account must still complete it; :data:`STEP_VIEWS` names the page of
each step.  A step is never stored as done: it is computed again on every
request from the account's own state, so that a new charter version, an
administrator's reset or an expired password takes effect at once.
"""
from portail.auth import passwords

#: the account must choose a new password (reset by an administrator, expired)
PASSWORD = 'password'  # noqa: S105 (a step name)

#: how a session was opened (:attr:`portail.models.session.PortalSession.method`)
LOCAL_LOGIN = 'password'  # noqa: S105 (a method name)
#: a login through the identity provider (:mod:`portail.auth.oidc`)
SSO_LOGIN = 'sso'


def password_needed(request, user, session, now):
    """A local login whose password was reset or has expired.  A session opened
    through the identity provider did not use the password: nothing to change."""
    if session.method != LOCAL_LOGIN:
        return False
    return passwords.change_reason(user, request.registry.settings, now) is not None


STEPS = [
    (PASSWORD, password_needed),
]

#: the view (a name on the portal root) where each step is completed
STEP_VIEWS = {
    PASSWORD: 'password',
}


def pending_step(request, user, session, now):
    """The first step ``user`` must still complete in ``session``, or ``None``."""
    for name, needed in STEPS:
        if needed(request, user, session, now):
            return name
    return None
