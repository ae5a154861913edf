"""The Pyramid security policy of the portal.

Identity comes from the server-side session (:mod:`portail.auth.sessions`),
or, for a request carrying an ``Authorization: Bearer`` header, from that
token alone (:mod:`portail.auth.bearer`: the feed's API accounts);
the principals are those of the account (:mod:`portail.acl.principals`)
plus the *local roles* that the context and its parents compute for this
identity at the time of the check (référent, delegate until a date...), so
local roles are never copied into ACLs and an expired delegation grants
nothing without any job.  The context's ``__acl__`` then decides through
:class:`~pyramid.authorization.ACLHelper`.
"""
from pyramid.authorization import ACLHelper, Everyone
from pyramid.interfaces import ISecurityPolicy
from zope.interface import implementer

from portail.acl.localroles import local_principals
from portail.auth import bearer, sessions
from portail.clock import utcnow


@implementer(ISecurityPolicy)
class PortalSecurityPolicy:
    """ACL-based policy over server-side sessions, with computed local roles."""

    def __init__(self):
        self.helper = ACLHelper()

    def identity(self, request):
        """The :class:`portail.auth.sessions.Identity` of the request, or ``None``:
        its bearer token's if it carries one (never then its session's), else
        its session's."""
        if bearer.presented(request):
            return bearer.current_identity(request)
        return sessions.current_identity(request)

    def authenticated_userid(self, request):
        identity = self.identity(request)
        return None if identity is None else identity.uid

    def principals_for(self, request, context):
        identity = self.identity(request)
        if identity is None:
            return {Everyone}
        principals = set(identity.principals)
        principals.update(local_principals(context, identity, utcnow(request.registry),
                                           request.registry.settings))
        return principals

    def permits(self, request, context, permission):
        principals = self.principals_for(request, context)
        return self.helper.permits(context, principals, permission)

    def permits_each(self, request, context, permissions):
        """``{permission: bool}`` for several permissions on one context,
        computing the principals (local roles included) once."""
        principals = self.principals_for(request, context)
        return {p: bool(self.helper.permits(context, principals, p)) for p in permissions}

    def remember(self, request, userid, **kw):
        return sessions.start_session(request, userid, **kw)

    def forget(self, request, **kw):
        return sessions.end_session(request)



def permissions_on(request, context, permissions):
    """Which of ``permissions`` the request's user holds on ``context``, as
    ``{permission: bool}``: what ``request.has_permission`` answers for each,
    for the price of one computation of the principals (a dossier page asks
    ten questions of its dossier)."""
    policy = request.registry.queryUtility(ISecurityPolicy)
    if isinstance(policy, PortalSecurityPolicy):
        return policy.permits_each(request, context, permissions)
    return {p: bool(request.has_permission(p, context)) for p in permissions}


class _StandIn:
    """The stand-in of an object whose ACL would be another (see :func:`permits_with_acl`)."""

    def __init__(self, context, acl):
        self.__acl__ = acl
        self.__parent__ = getattr(context, '__parent__', None)


def permits_with_acl(request, context, acl, permission):
    """Whether the request's user would hold ``permission`` on ``context`` if
    the ACL of ``context`` were ``acl`` -- the ACL of the state a transition
    leads to, say -- with the same principals, local roles included: what a
    page asks to offer a step that follows a transition it runs itself."""
    policy = request.registry.queryUtility(ISecurityPolicy)
    if not isinstance(policy, PortalSecurityPolicy):
        return False
    principals = policy.principals_for(request, context)
    return bool(policy.helper.permits(_StandIn(context, acl), principals, permission))
