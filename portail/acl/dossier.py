"""The ACL of a dossier (level 2 of SPEC §3); contracts get theirs from the
workflow table (:mod:`portail.workflow.contract`).  Both end with
``DENY_ALL``, so nothing granted higher up reaches into a person's file."""
from pyramid.authorization import DENY_ALL, Allow

from portail.acl import localroles as L
from portail.acl import permissions as P
from portail.acl import principals as pr


def dossier_acl():
    return [
        (Allow, L.REFERENT, (P.VIEW_DOSSIER, P.EDIT_IDENTITY, P.EDIT_ADMIN, P.ADD_CONTRACT)),
        (Allow, L.DELEGATE, (P.VIEW_DOSSIER, P.EDIT_IDENTITY, P.EDIT_ADMIN, P.ADD_CONTRACT)),
        (Allow, L.BENEFICIARY, (P.VIEW_DOSSIER,)),
        (Allow, L.SECRETARY, (P.VIEW_DOSSIER, P.EDIT_ADMIN)),
        (Allow, L.MANAGER, (P.VIEW_DOSSIER, P.REASSIGN)),
        DENY_ALL,
    ]


def dossiers_acl():
    """``/dossiers``: workers look up and create; secretaries look up."""
    return [
        (Allow, pr.role('worker'), (P.LOOKUP, P.CREATE_DOSSIER)),
        (Allow, pr.role('secretary'), (P.LOOKUP,)),
        DENY_ALL,
    ]
