"""The sections of the main menu an account may open, computed once per
set of deciding principals and kept in the process (issue 20).

What is kept.  For each section of :data:`SECTIONS` (the accounts, the
journals, the rights requests, the charter's acceptances, the statistics)
whether the request's user holds its permission on its folder, as the
links ``(url, label)`` of those it may open.  The label is a message,
translated when the page is rendered (:class:`portail.i18n.MemoLocalizer`
remembers its translation), so the same entry serves every language.  The
count of the pending work is not kept: it changes with the data, and
:func:`portail.views.layout.navigation` reads it on every page.

Why the key is enough.  A permission is what
:class:`pyramid.authorization.ACLHelper` answers from two things only: the
ACLs of the folder's lineage, and the principals the security policy
computes for the folder (:meth:`portail.acl.policy.PortalSecurityPolicy.principals_for`:
the account's, which follow its roles, district and pending login steps at
every request, plus the local roles the lineage computes).  The helper
looks at a principal only where an entry of those ACLs names it, so the
answer is a function of *the principals the ACLs name* among the
request's: :func:`deciding_principals`.  The ACLs of the root, ``/users``,
``/charter`` and ``/statistics`` come from the access matrix
(:mod:`portail.acl.matrix`) with no state: they change only with the code,
i.e. with a new process.  So the key holds, for each section's folder, its
name and its deciding principals (a folder that does not exist, the
charter of an old database, is not in it), and the home URL the links
start from.

So the key never mixes two accounts that the uncached computation would
tell apart, while all the accounts of the same roles share one entry; a
role change, a disabled account, a logout, a login step completed (the
second factor, the charter) changes the principals, hence the key, at the
very next request: nothing is ever invalidated, nothing stale is read.
The cache is bounded (:data:`MAXSIZE`, least recently used first out:
:class:`portail.boundedcache.BoundedCache`) and never written to a
database; it holds no personal data (URLs of folders and labels).
"""
from pyramid.interfaces import ISecurityPolicy
from pyramid.location import lineage

from portail.acl import permissions as P
from portail.acl.policy import PortalSecurityPolicy
from portail.boundedcache import BoundedCache
from portail.i18n import _

#: how many (home URL, deciding principals) entries a process keeps
MAXSIZE = 512

#: ``(permission, folder of the root or '' for the root, view name, label)``
#: of each section, in the menu's order
SECTIONS = (
    (P.MANAGE_ACCOUNTS, 'users', '', _('Accounts')),
    (P.VIEW_ALL_JOURNALS, '', 'journal', _('Access journals')),
    (P.VIEW_ALL_JOURNALS, '', 'unusual-access', _('Unusual access')),
    (P.VIEW_ADMINISTRATION_JOURNAL, '', 'administration-journal', _('Administration journal')),
    (P.VIEW_ALL_REQUESTS, '', 'requests', _('Rights requests')),
    (P.VIEW_CHARTER_ACCEPTANCES, 'charter', 'acceptances', _('Charter acceptances')),
    (P.VIEW_STATISTICS, 'statistics', '', _('Statistics')),
)
#: the folders the sections' permissions are checked on
FOLDERS = tuple(dict.fromkeys(folder for _p, folder, _v, _l in SECTIONS))

#: this process's menus (see the module's docstring)
KEPT = BoundedCache(MAXSIZE)


def folders_of(root):
    """``{name: folder or None}`` of :data:`FOLDERS` (``''``: the root)."""
    return {name: root if not name else getattr(root, name, None) for name in FOLDERS}


#: ``(id of each ACL of a lineage) -> (those ACLs, the principals they name)``
_NAMED = {}
#: the most lineages :data:`_NAMED` remembers (the menu's folders have four)
_NAMED_LIMIT = 64


def _acls_of(context):
    acls = []
    for node in lineage(context):
        acl = getattr(node, '__acl__', None)
        if acl and callable(acl):
            acl = acl()
        acls.append(acl or ())
    return tuple(acls)


def acl_principals(context):
    """Every principal an entry of the ACLs of ``context``'s lineage names:
    the only ones :class:`~pyramid.authorization.ACLHelper` looks at.

    Remembered per tuple of ACL objects (the matrix builds each ACL once and
    shares it), and used only when they are the very same objects."""
    acls = _acls_of(context)
    key = tuple(map(id, acls))
    known = _NAMED.get(key)
    if known is not None and all(a is b for a, b in zip(known[0], acls, strict=True)):
        return known[1]
    named = frozenset(principal for acl in acls for _action, principal, _permissions in acl)
    if len(_NAMED) < _NAMED_LIMIT:
        _NAMED[key] = (acls, named)
    return named


def deciding_principals(principals, context):
    """Those of ``principals`` (the request's on ``context``) that the ACLs
    of ``context`` name: all that decides a permission of the request's user
    on it."""
    return frozenset(principals & acl_principals(context))


def compute_sections(request, folders):
    """``((url, label), ...)`` of the sections the request's user may open,
    asked of the security policy (no cache)."""
    items = []
    for permission, name, view, label in SECTIONS:
        folder = folders[name]
        if folder is not None and request.has_permission(permission, folder):
            args = (view,) if view else ()
            items.append((request.resource_url(folder, *args), label))
    return tuple(items)


def sections(request, home):
    """:func:`compute_sections`, kept under the home URL and the deciding
    principals of each folder (see the module's docstring)."""
    folders = folders_of(request.root)
    policy = request.registry.queryUtility(ISecurityPolicy)
    if not isinstance(policy, PortalSecurityPolicy):
        return compute_sections(request, folders)
    present = [(name, folder) for name, folder in folders.items() if folder is not None]
    each = policy.principals_each(request, [folder for _name, folder in present])
    key = (home, *((name, deciding_principals(principals, folder))
                   for (name, folder), principals in zip(present, each, strict=True)))
    found = KEPT.get(key)
    if found is None:
        found = compute_sections(request, folders)
        KEPT.put(key, found)
    return found
