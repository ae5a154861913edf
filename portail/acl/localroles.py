"""Local roles: the relation between a user and one object (docs/domain.md,
*Confidentiality levels*), and
every rule that computes them (docs/security.md, "Local roles").

They are computed at each permission check by the security policy (each
object's ``local_principals`` calls one function of this module), never
stored in ACLs, so a reassignment or an expired delegation takes effect at
once: the end date of a delegation or of a note grant is compared with the
clock at every check, with no job to remove it.  What each local role may do
is the access matrix's business (:mod:`portail.acl.matrix`).
"""
from pyramid.location import lineage

from portail.acl.principals import local
from portail.acl.roles import BENEFICIARY as BENEFICIARY_ROLE
from portail.acl.roles import CLI as CLI_ROLE
from portail.acl.roles import MANAGER as MANAGER_ROLE
from portail.acl.roles import SECRETARY as SECRETARY_ROLE
from portail.acl.roles import WORKER, granted_roles, holds_admin

# -- on a dossier (and everything it holds) ----------------------------------
REFERENT = local('referent')
DELEGATE = local('delegate')
BENEFICIARY = local('beneficiary')
#: a secretary of the dossier's district
SECRETARY = local('secretary')
#: a secretary of the dossier's district, when secretaries may enter contracts
ENTERING_SECRETARY = local('entering-secretary')
#: a district manager who is a qualified social worker
MANAGER = local('manager')
#: a CLI facilitator of the dossier's district (on a CLI folder: of its district)
CLI = local('cli')
#: an active delegate whose delegation covers the référent's notes
NOTES_DELEGATE = local('notes-delegate')

# -- on a note -----------------------------------------------------------------
#: the author of a note, while a social worker who works for the person
NOTE_AUTHOR = local('note-author')
#: a colleague the author granted the note to, while the grant runs
NOTE_READER = local('note-reader')
#: a notes-delegate, on a note written by the dossier's référent
REFERENT_NOTE_READER = local('referent-note-reader')

# -- on a transfer request ---------------------------------------------------
#: the social worker who asked for the transfer, while a social worker
TRANSFER_REQUESTER = local('transfer-requester')

# -- on a district's statistics --------------------------------------------------
#: a CLI facilitator or manager of the district, on its statistics
STATISTICS_READER = local('statistics-reader')
#: the account roles of a district who read its statistics
STATISTICS_READING_ROLES = frozenset({CLI_ROLE, MANAGER_ROLE})


def local_principals(context, identity, now, settings):
    """Every local principal ``identity`` holds on ``context`` at ``now``: those
    each node of its lineage computes (its ``local_principals`` method, which
    calls a rule of this module).

    None while a step of the login is pending (:mod:`portail.auth.steps`), and
    none ever for an account administrator (docs/domain.md, *Roles*: they never
    reach dossier content, whatever the data says: référent, delegate, note
    author...).
    """
    if not identity.ready or holds_admin(identity.user):
        return set()
    found = set()
    for node in lineage(context):
        compute = getattr(node, 'local_principals', None)
        if compute is not None:
            found.update(compute(identity, now, settings))
    return found


def active(until, now):
    """An end date (inclusive, or ``None`` for none) is still running at ``now``."""
    return until is None or until >= now.date()


def active_delegation(dossier, uid, now):
    """The :class:`~portail.models.dossier.Delegation` of ``uid`` on
    ``dossier`` if it still runs at ``now``, else ``None``: one given on the
    dossier, or the absence of its référent, who delegated all their
    dossiers to ``uid`` (:func:`absence_of`)."""
    delegation = dossier.delegations.get(uid)
    if delegation is not None and active(delegation.until, now):
        return delegation
    absence = absence_of(dossier, now)
    if absence is not None and absence.delegate == uid:
        return absence
    return None


def absence_of(dossier, now):
    """The running absence delegation of ``dossier``'s référent, or ``None``."""
    folder = getattr(dossier, '__parent__', None)
    root = getattr(folder, '__parent__', None)
    users = getattr(root, 'users', None)
    referent = users.get(dossier.referent) if users is not None else None
    absence = getattr(referent, 'absence', None)
    if absence is not None and active(absence.until, now):
        return absence
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
    if WORKER not in granted_roles(user):
        return None
    if uid == dossier.referent:
        return True
    return active_delegation(dossier, uid, now)


def reads_granted_note(note, user, uid, now):
    """A colleague the author granted ``note`` to reads it while the grant
    runs and while a social worker (docs/domain.md, *Confidentiality levels*: a note is never read
    by a secretary, manager, CLI facilitator, administrator or DPO)."""
    return (WORKER in granted_roles(user) and uid in note.grants
            and active(note.grants[uid], now))


#: the account roles through which :func:`dossier_principals` looks at a dossier
#: beyond its district: a social worker may be its référent or (notes-)delegate,
#: directly or through an absence, a beneficiary may be its person.  For an
#: account holding none of them, every dossier of one district gets the same
#: local roles (secretary, entering secretary, manager, CLI: the account's roles,
#: its district, its qualification and the settings only), which
#: :mod:`portail.acl.rowcheck` relies on: keep this set in step with the rules
#: of :func:`dossier_principals` (tests/test_row_permissions.py checks it).
PER_DOSSIER_ROLES = frozenset({WORKER, BENEFICIARY_ROLE})


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
    if identity.uid == dossier.beneficiary and BENEFICIARY_ROLE in roles:
        found.add(BENEFICIARY)
    same_district = user.district is not None and user.district == dossier.district
    if same_district:
        if SECRETARY_ROLE in roles:
            found.add(SECRETARY)
            if settings['portail.secretaries_enter_contracts']:
                found.add(ENTERING_SECRETARY)
        if MANAGER_ROLE in roles and user.qualified_social_worker:
            found.add(MANAGER)
        if CLI_ROLE in roles:
            found.add(CLI)
    return found


def note_principals(note, identity, now, settings):
    """Return the local principals ``identity`` holds on ``note`` at ``now``
    (those of its dossier come from the dossier, higher in the lineage).

    The author keeps the note while a social worker who is référent or active
    delegate (docs/domain.md, *Confidentiality levels*: a former référent keeps nothing, a
    secretary never reads notes); a colleague reads it while granted; an active delegate
    whose delegation covers the notes reads those of the référent.
    """
    user, uid = identity.user, identity.uid
    dossier = note.dossier
    found = set()
    if uid == note.author and works_for_the_person(dossier, user, uid, now):
        found.add(NOTE_AUTHOR)
    if reads_granted_note(note, user, uid, now):
        found.add(NOTE_READER)
    if note.author == dossier.referent and WORKER in granted_roles(user):
        delegation = active_delegation(dossier, uid, now)
        if delegation is not None and delegation.notes:
            found.add(REFERENT_NOTE_READER)
    return found


def transfer_principals(transfer, identity, now, settings):
    """The social worker who asked for a transfer reads their request (the
    dossier's level 1 fields only; those of the dossier come from the
    dossier, higher in the lineage)."""
    if identity.uid == transfer.requested_by and WORKER in granted_roles(identity.user):
        return {TRANSFER_REQUESTER}
    return set()


def cli_district_principals(folder, identity, now, settings):
    """A CLI facilitator of the folder's district, on its summaries."""
    user = identity.user
    if CLI_ROLE in granted_roles(user) and user.district == folder.__name__:
        return {CLI}
    return set()


def district_principals(district, identity, now, settings):
    """A manager of the district who is a qualified social worker, on the
    district: lists its dossiers by référent and moves caseloads (the same
    manager who may open its dossiers, :func:`dossier_principals`)."""
    user = identity.user
    if (MANAGER_ROLE in granted_roles(user) and user.qualified_social_worker
            and user.district == district.__name__):
        return {MANAGER}
    return set()


def statistics_principals(statistics, identity, now, settings):
    """A CLI facilitator or a manager of the district, on its statistics."""
    user = identity.user
    if (user.district == statistics.__name__
            and STATISTICS_READING_ROLES & set(granted_roles(user))):
        return {STATISTICS_READER}
    return set()
