"""Local roles: the relation between a user and one dossier (SPEC §3).

They are computed at each permission check by the security policy (see
:meth:`portail.models.dossier.Dossier.local_principals`), never stored in
ACLs, so a reassignment or an expired delegation takes effect at once.
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


def dossier_principals(dossier, identity, settings):
    """Return the local principals ``identity`` holds on ``dossier``."""
    user = identity.user
    roles = user.roles
    found = set()
    if identity.uid == dossier.referent:
        found.add(REFERENT)
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
