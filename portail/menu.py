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
i.e. with a new process.  So the key holds the home URL the links start
from, the names of the folders that exist (the charter of an old database
may not), and the deciding principals:

- in the usual case (:func:`static_key`: every folder's ACL is the
  matrix's without state, every folder hangs from the root, none computes a
  local role), the identity's principals that those ACLs name, read from the
  identity the policy sees -- cheap, with no ACL walked;
- otherwise (:func:`each_key`), each folder's principals as the policy
  computes them, local roles included, cut to those its lineage's ACLs name.

So the key never mixes two accounts that the uncached computation would
tell apart, while all the accounts of the same roles share one entry; a
role change, a disabled account, a logout, a login step completed (the
second factor, the charter) changes the principals, hence the key, at the
very next request: nothing is ever invalidated, nothing stale is read.
The cache is bounded (:data:`MAXSIZE`, least recently used first out:
:class:`portail.boundedcache.BoundedCache`) and never written to a
database; it holds no personal data (URLs of folders and labels).
"""
from pyramid.authorization import Everyone
from pyramid.interfaces import ISecurityPolicy
from pyramid.location import lineage

from portail.acl import permissions as P
from portail.acl.matrix import ComputedACL, acl
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


#: class -> the principals its objects' ACL names, or ``None`` (see
#: :func:`static_acl_principals`)
_STATIC = {}
_MISSING = object()


def static_acl_principals(cls):
    """The principals the ACL of every object of ``cls`` names, when that
    ACL is the matrix's for one kind without state (then it is the same for
    all of them while the process runs); else ``None``.  Found once per class."""
    found = _STATIC.get(cls, _MISSING)
    if found is _MISSING:
        descriptor = next((k.__dict__['__acl__'] for k in cls.__mro__
                           if '__acl__' in k.__dict__), None)
        found = None
        if isinstance(descriptor, ComputedACL) and descriptor.state_of is None:
            found = frozenset(principal for _action, principal, _permissions
                              in acl(descriptor.kind))
        _STATIC[cls] = found
    return found


def static_key(request, policy, folders):
    """The deciding principals of the request's user on all the folders at
    once, when their ACLs are static (:func:`static_acl_principals`), they
    hang from the root and none computes a local role: then the policy's
    principals on each folder are the identity's, and only those the ACLs
    name decide.  ``None`` otherwise (:func:`each_key` answers)."""
    root = request.root
    if root.__parent__ is not None:
        return None
    named = set()
    for folder in folders.values():
        if folder is None:
            continue
        if folder is not root and folder.__parent__ is not root:
            return None
        principals = static_acl_principals(type(folder))
        if principals is None or getattr(folder, 'local_principals', None) is not None:
            return None
        named.update(principals)
    identity = policy.identity(request)
    return frozenset(named.intersection(
        (Everyone,) if identity is None else identity.principals))


def acl_principals(context):
    """Every principal an entry of the ACLs of ``context``'s lineage names:
    the only ones :class:`~pyramid.authorization.ACLHelper` looks at."""
    named = set()
    for node in lineage(context):
        found = getattr(node, '__acl__', None)
        if found and callable(found):
            found = found()
        named.update(principal for _action, principal, _permissions in found or ())
    return named


def deciding_principals(principals, context):
    """Those of ``principals`` (the request's on ``context``) that the ACLs
    of ``context`` name: all that decides a permission of the request's user
    on it."""
    return frozenset(principals & acl_principals(context))


def each_key(request, policy, folders):
    """The deciding principals of the request's user on each folder, the
    policy asked for each (local roles included): the general case."""
    return tuple((name, deciding_principals(policy.principals_for(request, folder), folder))
                 for name, folder in folders.items() if folder is not None)


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
    deciding = static_key(request, policy, folders)
    if deciding is None:
        key = (home, 'each', each_key(request, policy, folders))
    else:
        present = tuple(name for name, folder in folders.items() if folder is not None)
        key = (home, 'static', present, deciding)
    found = KEPT.get(key)
    if found is None:
        found = compute_sections(request, folders)
        KEPT.put(key, found)
    return found
