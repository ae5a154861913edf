"""Permissions on the rows of a listing of contracts, asked once per
(district, state) when the answer provably cannot differ from row to row
(issue 20).

The secretary's entry queue (:mod:`portail.views.entry_queue`) checks
``view_contract`` on every contract it shows; asked row by row, through
``request.has_permission``, those checks were a quarter of the page.

Why one answer per (district, state) is exact
---------------------------------------------

``request.has_permission(permission, contract)`` is decided by the
contract's ``__acl__`` and the principals of the request on it
(:meth:`portail.acl.policy.PortalSecurityPolicy.principals_for`):

- the ACL is ``ComputedACL('contract', contract_state)``: the row of the
  access matrix (:mod:`portail.acl.matrix`) of the contract's **state**, and
  it ends with ``DENY_ALL``, so no parent's ACL takes part;
- the principals are the account's own (its roles, its district: the same
  for every row of the request) plus the local roles its lineage computes
  (:func:`portail.acl.localroles.local_principals`).  In a contract's
  lineage (contract, its dossier's ``contracts`` folder, the dossier,
  ``/dossiers``, the root) only the dossier computes any:
  :func:`portail.acl.localroles.dossier_principals`.  Its rules are of two
  sorts:

  * référent, delegate, notes-delegate (a delegation on the dossier or the
    absence of its référent, with their end dates) and beneficiary (the
    person of the dossier) depend on the row, but are only given to an
    account holding the ``worker`` or ``beneficiary`` role
    (:data:`portail.acl.localroles.PER_DOSSIER_ROLES`);
  * secretary, entering secretary, manager and CLI facilitator depend on
    the account's roles, district and qualification, on the settings
    (``portail.secretaries_enter_contracts``) and on the dossier's
    **district** only -- never on the dossier's référent, its delegations
    or transfers requested, its person's consents, or a contract kept on
    paper (that is a state of its own, ``paper``, so another key).

So for an account holding neither ``worker`` nor ``beneficiary`` (a
secretary, possibly also a manager or CLI facilitator), every contract of
one district in one state gets the same answer: :class:`RowPermissions`
asks the real policy once, on the first real row of that (district, state)
met in the listing, and gives that answer to the other rows of the same
(district, state) (a dossier transferred to another district is keyed by
the district it is in now).  Nothing of the ACL is rewritten here: the
answer is the policy's.

What keeps the per-row check
----------------------------

An account holding ``worker`` or ``beneficiary`` (a secretary who is also
a social worker, or who is followed herself) may be référent, delegate or
person of some rows and not others: each of its rows is asked on its own,
as before.  So is any request under another security policy than the
portal's.  The answer is kept for one request only (one :class:`RowPermissions`
per listing), so a change of the matrix, of the account or of the data
takes effect at the next request.

The CLI worklist (:func:`portail.views.listings.worklist`) needs no such
helper: its summaries have no ACL of their own (they inherit their
district folder's, ``cli_district``, one row for every summary), the
view's ``permission=`` already decides for all of them at once, and it
checks nothing per row.

tests/test_row_permissions.py computes both ways, for every role, on rows
of several districts and states with delegations, absences, transfers,
withdrawn consents and contracts kept on paper.
"""
from types import MappingProxyType

from pyramid.interfaces import ISecurityPolicy

from portail.acl.localroles import PER_DOSSIER_ROLES
from portail.acl.policy import PortalSecurityPolicy, permissions_on
from portail.acl.roles import granted_roles


def shared_by_district_and_state(request):
    """Whether, for the request's account, a permission on a contract depends
    only on the contract's (district, state): the portal's policy decides, and
    the account holds none of :data:`~portail.acl.localroles.PER_DOSSIER_ROLES`."""
    policy = request.registry.queryUtility(ISecurityPolicy)
    if not isinstance(policy, PortalSecurityPolicy):
        return False
    identity = policy.identity(request)
    if identity is None:
        return False
    return not PER_DOSSIER_ROLES & set(granted_roles(identity.user))


class RowPermissions:
    """``permissions`` on the contracts of one listing, for one request.

    ``rows(contract)`` is ``{permission: bool}`` (read-only: rows share it),
    what ``request.has_permission`` answers for each of ``permissions`` on
    ``contract``; ``rows.allows(permission,
    contract)`` one of them.  The policy is asked once per (district, state)
    when :func:`shared_by_district_and_state`, else once per contract.
    ``asked`` counts the times the policy was asked.
    """

    def __init__(self, request, permissions):
        self.request = request
        self.permissions = tuple(permissions)
        self.shared = shared_by_district_and_state(request)
        self.known = {}
        self.asked = 0

    def __call__(self, contract):
        if not self.shared:
            return self._ask(contract)
        key = (contract.dossier.district, contract.state)
        found = self.known.get(key)
        if found is None:
            found = self.known[key] = self._ask(contract)
        return found

    def allows(self, permission, contract):
        return self(contract)[permission]

    def _ask(self, contract):
        self.asked += 1
        return MappingProxyType(permissions_on(self.request, contract, self.permissions))
