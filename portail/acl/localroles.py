"""Local roles: the relation between a user and one dossier
(docs/domain.md, *Confidentiality levels*).

They are computed at each permission check by the security policy (see
:meth:`portail.models.dossier.Dossier.local_principals`), never stored in
ACLs, so a reassignment or an expired delegation takes effect at once: the
end date of a delegation or of a note grant is compared with the clock at
every check, with no job to remove it.
"""
from portail.acl.principals import local
from portail.acl.roles import granted_roles

REFERENT = local('referent')
DELEGATE = local('delegate')
BENEFICIARY = local('beneficiary')
#: a secretary of the dossier's district
SECRETARY = local('secretary')
#: a secretary of the dossier's district, when secretaries may enter contracts
ENTERING_SECRETARY = local('entering-secretary')
#: a district manager who is a qualified social worker
MANAGER = local('manager')
#: a CLI facilitator of the dossier's district
CLI = local('cli')
#: a CLI facilitator or manager of the district, on its statistics
STATISTICS_READER = local('statistics-reader')
#: an active delegate whose delegation covers the référent's notes
NOTES_DELEGATE = local('notes-delegate')
#: the author of a note; a colleague the author granted it to
NOTE_AUTHOR = local('note-author')
NOTE_READER = local('note-reader')


def active(until, now):
    """An end date (inclusive, or ``None`` for none) is still running at ``now``."""
    return until is None or until >= now.date()


def active_delegation(dossier, uid, now):
    """The :class:`~portail.models.dossier.Delegation` of ``uid`` on
    ``dossier`` if it still runs at ``now``, else ``None``."""
    delegation = dossier.delegations.get(uid)
    if delegation is not None and active(delegation.until, now):
        return delegation
    return None


def works_for_the_person(dossier, user, uid, now):
    """The one rule of "works for the person" (docs/domain.md, *Roles*): a social worker
    (the account holds the ``worker`` role now) who is the dossier's référent
    or an active delegate on it.

    Every check of référent or delegation goes through here, so a change of
    roles takes effect at once everywhere: a delegate or référent made
    secretary keeps neither the dossier's worker rights nor any note.
    Returns the active delegation (or ``True`` for the référent), else ``None``.
    """
    if 'worker' not in granted_roles(user):
        return None
    if uid == dossier.referent:
        return True
    return active_delegation(dossier, uid, now)


def reads_granted_note(note, user, uid, now):
    """A colleague the author granted ``note`` to reads it while the grant
    runs and while a social worker (docs/domain.md, *Confidentiality levels*: a note is never read
    by a secretary, manager, CLI facilitator, administrator or DPO)."""
    return ('worker' in granted_roles(user) and uid in note.grants
            and active(note.grants[uid], now))


def dossier_principals(dossier, identity, now, settings):
    """Return the local principals ``identity`` holds on ``dossier`` at ``now``."""
    user = identity.user
    roles = granted_roles(user)
    found = set()
    if works_for_the_person(dossier, user, identity.uid, now):
        if identity.uid == dossier.referent:
            found.add(REFERENT)
        delegation = active_delegation(dossier, identity.uid, now)
        if delegation is not None:
            found.add(DELEGATE)
            if delegation.notes:
                found.add(NOTES_DELEGATE)
    if identity.uid == dossier.beneficiary and 'beneficiary' in roles:
        found.add(BENEFICIARY)
    same_district = user.district is not None and user.district == dossier.district
    if same_district:
        if 'secretary' in roles:
            found.add(SECRETARY)
            if settings['portail.secretaries_enter_contracts']:
                found.add(ENTERING_SECRETARY)
        if 'manager' in roles and user.qualified_social_worker:
            found.add(MANAGER)
        if 'cli' in roles:
            found.add(CLI)
    return found
