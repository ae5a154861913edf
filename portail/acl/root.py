"""ACLs of the portal root and of the top-level folders
(docs/domain.md, *Object tree* and *Pages and requests*).

ACLs are tuples of ``(action, principal, permissions)`` read by Pyramid's
:class:`~pyramid.authorization.ACLHelper`.  Anything not granted here or on
a child is denied: the root ends with ``DENY_ALL``.
"""
from pyramid.authorization import DENY_ALL, Allow, Authenticated

from portail.acl import permissions as P
from portail.acl import principals as pr
from portail.acl.localroles import CLI, STATISTICS_READER


def root_acl():
    return [
        (Allow, pr.ACTIVE, P.VIEW_HOME),
        (Allow, pr.role('dpo'), (P.VIEW_ALL_JOURNALS, P.VIEW_ALL_REQUESTS,
                                 P.VIEW_ADMINISTRATION_JOURNAL)),
        (Allow, Authenticated, (P.CHANGE_PASSWORD, P.LOGOUT)),
        (Allow, pr.role('admin'), P.MANAGE_ACCOUNTS),
        DENY_ALL,
    ]


def users_acl():
    """``/users``: only account administrators, then the root's rules."""
    return [(Allow, pr.role('admin'), P.MANAGE_ACCOUNTS)]


def user_acl():
    """One account: only account administrators."""
    return [(Allow, pr.role('admin'), P.MANAGE_ACCOUNTS)]


def districts_acl():
    return [(Allow, pr.role('admin'), P.MANAGE_ACCOUNTS)]


def cli_acl():
    return [DENY_ALL]


def cli_district_acl():
    """``/cli/<district>``: that district's CLI facilitators only."""
    return [(Allow, CLI, (P.VIEW_CLI_WORKLIST, P.CLI_OPINION)), DENY_ALL]


def statistics_acl():
    """``/statistics``: opens for CLI facilitators, managers and the DPO; the
    département's figures for the DPO and the département manager."""
    department = (P.VIEW_STATISTICS, P.READ_DEPARTMENT_STATISTICS)
    return [
        (Allow, pr.role('cli'), P.VIEW_STATISTICS),
        (Allow, pr.role('manager'), P.VIEW_STATISTICS),
        (Allow, pr.role('dpo'), department),
        (Allow, pr.DEPARTMENT_MANAGER, department),
        DENY_ALL,
    ]


def statistics_district_acl():
    """``/statistics/<district>``: that district's facilitators and managers only."""
    return [(Allow, STATISTICS_READER, (P.VIEW_STATISTICS, P.READ_STATISTICS)), DENY_ALL]
