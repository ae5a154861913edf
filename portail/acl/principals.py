"""How principals are spelled.

A request carries the principals of its identity (:func:`user_principals`)
plus the local roles that the context computes for that identity (see
:meth:`portail.acl.policy.PortalSecurityPolicy.principals_for`).
"""
from pyramid.authorization import Authenticated, Everyone

from portail.acl.roles import MANAGER, granted_roles

#: an authenticated account with no step of the login pending
#: (:mod:`portail.auth.steps`): the only state in which role principals are granted
ACTIVE = 'portail:active'
#: a manager without district: the département's manager (reads every
#: district's anonymous statistics, no dossier)
DEPARTMENT_MANAGER = 'portail:department-manager'


def user(uid):
    return f'user:{uid}'


def role(name):
    return f'role:{name}'


def district(district_id):
    return f'district:{district_id}'


def local(name):
    """A local role computed for one context (référent, delegate...)."""
    return f'local:{name}'


def user_principals(user_obj, ready):
    """Return the principals of an account.

    While a step of the login is pending (a password to change, a second
    factor to enrol, the charter to accept: :mod:`portail.auth.steps`), the
    account keeps only ``Authenticated`` and its user principal: nothing but
    the steps' pages and logout is granted to it.  Only the roles that take effect
    count (:func:`portail.acl.roles.granted_roles`: an administrator's
    file-opening roles, if stored, count for nothing).
    """
    principals = [Everyone, Authenticated, user(user_obj.uid)]
    if ready:
        roles = granted_roles(user_obj)
        principals.append(ACTIVE)
        principals.extend(role(r) for r in roles)
        if user_obj.district:
            principals.append(district(user_obj.district))
        elif MANAGER in roles:
            principals.append(DEPARTMENT_MANAGER)
    return principals
