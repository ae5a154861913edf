"""The ACL of a dossier (level 2 in docs/domain.md, *Confidentiality levels*); contracts get theirs
from the workflow table (:mod:`portail.workflow.contract`).  Both end with
``DENY_ALL``, so nothing granted higher up reaches into a person's file."""
from pyramid.authorization import DENY_ALL, Allow

from portail.acl import localroles as L
from portail.acl import permissions as P
from portail.acl import principals as pr


def dossier_acl():
    return [
        (Allow, L.REFERENT, (P.VIEW_DOSSIER, P.EDIT_IDENTITY, P.EDIT_ADMIN, P.ADD_CONTRACT,
                             P.MANAGE_DELEGATION, P.ADD_NOTE, P.MANAGE_BENEFICIARY_ACCOUNT,
                             P.EXPORT_DOSSIER, P.VIEW_REQUESTS, P.ANSWER_REQUEST)),
        (Allow, L.DELEGATE, (P.VIEW_DOSSIER, P.EDIT_IDENTITY, P.EDIT_ADMIN, P.ADD_CONTRACT,
                             P.MANAGE_BENEFICIARY_ACCOUNT, P.EXPORT_DOSSIER, P.VIEW_REQUESTS,
                             P.ANSWER_REQUEST)),
        (Allow, L.NOTES_DELEGATE, (P.ADD_NOTE,)),
        (Allow, L.BENEFICIARY, (P.VIEW_DOSSIER, P.VIEW_DOSSIER_JOURNAL, P.EXPORT_DOSSIER,
                                P.VIEW_REQUESTS, P.MAKE_REQUEST)),
        (Allow, L.SECRETARY, (P.VIEW_DOSSIER, P.EDIT_ADMIN)),
        (Allow, L.MANAGER, (P.VIEW_DOSSIER, P.REASSIGN, P.MANAGE_DELEGATION)),
        DENY_ALL,
    ]


def note_acl(note):
    """A working note (level 3): its author, the colleagues they granted it to,
    the référent's notes-delegate, and the beneficiary unless the note holds
    third-party information (then only its existence).  Never anyone else."""
    acl = [
        (Allow, L.NOTE_AUTHOR, (P.VIEW_NOTE, P.VIEW_NOTE_EXISTENCE, P.EDIT_NOTE, P.SHARE_NOTE)),
        (Allow, L.NOTE_READER, (P.VIEW_NOTE, P.VIEW_NOTE_EXISTENCE)),
    ]
    dossier = note.dossier if note.__parent__ is not None else None
    if dossier is not None and note.author == dossier.referent:
        acl.append((Allow, L.NOTES_DELEGATE, (P.VIEW_NOTE, P.VIEW_NOTE_EXISTENCE)))
    if note.third_party:
        acl.append((Allow, L.BENEFICIARY, (P.VIEW_NOTE_EXISTENCE,)))
    else:
        acl.append((Allow, L.BENEFICIARY, (P.VIEW_NOTE, P.VIEW_NOTE_EXISTENCE)))
    acl.append(DENY_ALL)
    return acl


def dossiers_acl():
    """``/dossiers``: workers look up and create; secretaries look up."""
    return [
        (Allow, pr.role('worker'), (P.LOOKUP, P.CREATE_DOSSIER)),
        (Allow, pr.role('secretary'), (P.LOOKUP,)),
        DENY_ALL,
    ]
