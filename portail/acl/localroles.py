"""Local roles: the relation between a user and one dossier (SPEC §3).

They are computed at each permission check by the security policy (see
:meth:`portail.models.dossier.Dossier.local_principals`), never stored in
ACLs, so a reassignment or an expired delegation takes effect at once: the
end date of a delegation or of a note grant is compared with the clock at
every check, with no job to remove it.
"""
from portail.acl.principals import local

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


def dossier_principals(dossier, identity, now, settings):
    """Return the local principals ``identity`` holds on ``dossier`` at ``now``."""
    user = identity.user
    roles = user.roles
    found = set()
    if identity.uid == dossier.referent:
        found.add(REFERENT)
    delegation = dossier.delegations.get(identity.uid)
    if delegation is not None and 'worker' in roles and active(delegation.until, now):
        found.add(DELEGATE)
        if delegation.notes:
            found.add(NOTES_DELEGATE)
    if identity.uid == dossier.beneficiary:
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
