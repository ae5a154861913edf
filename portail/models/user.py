"""Accounts: the principals of the portal (docs/domain.md, *Roles* and *Accounts and passwords*).

A :class:`User` is stored under ``/users/<uid>`` where ``uid`` is an opaque
random id: the login never appears in a URL, a log line or a transaction
note; ``uid`` is the pseudonymous user id used everywhere else.
"""
from BTrees.OOBTree import OOBTree, OOTreeSet
from persistent import Persistent

from portail.acl import roles as roles_module
from portail.acl.matrix import ComputedACL
from portail.models.container import Container
from portail.models.index import index_add, index_remove

#: the role names and the rules on combining them live in :mod:`portail.acl.roles`
ROLES = roles_module.ROLES
DEPARTMENT_WIDE_ROLES = roles_module.DEPARTMENT_WIDE_ROLES
OPTIONAL_DISTRICT_ROLES = roles_module.OPTIONAL_DISTRICT_ROLES
FILE_OPENING_ROLES = roles_module.FILE_OPENING_ROLES


class User(Persistent):
    """One account.  Security state lives here; sessions live elsewhere."""

    __acl__ = ComputedACL('user')
    #: (sha256 of a one-time activation code, end of validity) or None
    activation = None
    #: ``(administrator uid, utc datetime)`` of each reset of the password by an
    #: administrator that the owner has not been told of yet (at their next login)
    password_resets = ()
    #: a social worker's absence: the :class:`~portail.models.dossier.Delegation`
    #: of all their dossiers to one colleague until an end date, or None
    #: (checked when a dossier is opened, like any delegation: issue 16)
    absence = None
    # The second factor (:mod:`portail.auth.second_factor`): the TOTP secret
    # (base32) or None, the 30-second step of the last code accepted, the
    # SHA-256 of each unused recovery code, when it was enrolled, and the
    # ``(administrator uid, utc datetime)`` of each reset the owner has not
    # been told of yet
    totp_secret = None
    totp_last_step = 0
    recovery_hashes = ()
    second_factor_enrolled_at = None
    second_factor_resets = ()
    #: ``(version, utc datetime)``: the last version of the confidentiality
    #: charter the account accepted, and when (:mod:`portail.auth.charter`)
    charter_accepted = None
    #: its id in the information system it was imported from (issue 19)
    external_id = None
    #: an API account of the feed (:mod:`portail.feed.tokens`): the SHA-256 of
    #: its bearer token, and when the token was created; ``None`` otherwise
    feed_token_hash = None
    feed_token_created_at = None

    def __init__(self, login, fullname, roles=(), district=None, qualified=False):
        self.login = login
        self.fullname = fullname
        self.roles = ()
        self.district = None
        #: a manager who is a qualified social worker may see district dossiers
        self.qualified_social_worker = False
        self.assign(roles, district, qualified)
        self.password_hash = None
        self.password_changed_at = None
        #: set by an administrator's reset: the next login must change it
        self.must_change_password = True
        self.password_never_expires = False
        self.failed_logins = 0
        self.locked = False
        self.disabled = False
        #: (utc datetime, origin) of the last and the previous login
        self.last_login = None
        self.previous_login = None
        #: key of the only live session of this user (one session per user)
        self.session_key = None
        #: bumped at every change of roles, district or password
        self.privilege_serial = 0
        #: the (district, role) keys this account is indexed under
        self.index_keys = ()
        self.created_at = None

    @property
    def uid(self):
        return self.__name__

    def assign(self, roles, district, qualified):
        """Give the account ``roles``, ``district`` and the qualified social
        worker flag; raise :class:`ValueError` (and change nothing) if the
        roles may not be held together (:func:`portail.acl.roles.incompatible_roles`).

        Every path that sets roles goes through here, so none can make an
        administrator who opens dossiers.  The caller reindexes the account
        (:meth:`Users.reindex`) and says whether privileges changed.
        """
        conflicts = roles_module.incompatible_roles(roles)
        if conflicts:
            raise ValueError(f'admin cannot be held with {",".join(conflicts)}')
        self.roles = tuple(roles)
        self.district = district
        self.qualified_social_worker = bool(qualified)

    def privileges_changed(self):
        """Record that the account's privileges changed (rotates its session)."""
        self.privilege_serial += 1


class Users(Container):
    """The ``/users`` folder, with a login → uid index."""

    __acl__ = ComputedACL('users')
    #: colleague uid -> uids of the social workers whose absence they cover
    #: (created with the first absence)
    absence_delegates = None
    #: external id -> uid of the imported accounts (:mod:`portail.importing`;
    #: evolve step 0018)
    by_external_id = None

    def set_absence(self, user, delegation):
        """Delegate all of ``user``'s dossiers (``delegation``, or ``None`` to
        end it), keeping the colleague index in step."""
        if self.absence_delegates is None:
            self.absence_delegates = OOBTree()
        if user.absence is not None:
            index_remove(self.absence_delegates, user.absence.delegate, user.uid)
        user.absence = delegation
        if delegation is not None:
            index_add(self.absence_delegates, delegation.delegate, user.uid)

    def absent_for(self, uid):
        """The social workers whose absence ``uid`` covers (their absence may
        have ended: check it)."""
        found = (self.absence_delegates or {}).get(uid, ())
        return [self.data[ref] for ref in found if ref in self.data]

    def __init__(self):
        super().__init__()
        self.by_login = OOBTree()
        #: failures on logins that do not exist: sha256(login) -> count
        self.unknown_failures = OOBTree()
        #: wrong activation codes, per login typed (existing or not):
        #: sha256(login) -> count (:mod:`portail.auth.activation`)
        self.activation_failures = OOBTree()
        #: uids of locked accounts, for the administrators' list
        self.locked_uids = OOTreeSet()
        #: (district, role) -> uids, e.g. the social workers of a district
        self.by_district_role = OOBTree()
        self.by_external_id = OOBTree()

    @staticmethod
    def normalise_login(login):
        return (login or '').strip().lower()

    def add_user(self, user):
        key = self.normalise_login(user.login)
        if not key or key in self.by_login:
            raise ValueError('login taken')
        user.login = key
        uid = self.add(user)
        self.by_login[key] = uid
        self.reindex(user)
        return uid

    def reindex(self, user):
        """Keep :attr:`by_district_role` in step with the user's roles and district."""
        old = user.index_keys
        new = tuple((user.district or '', role) for role in user.roles)
        for key in set(old) - set(new):
            index_remove(self.by_district_role, key, user.uid)
        for key in set(new) - set(old):
            index_add(self.by_district_role, key, user.uid)
        user.index_keys = new

    def with_role(self, district, role):
        """Accounts holding ``role`` in ``district``."""
        return [self.data[uid] for uid in self.by_district_role.get((district or '', role), ())]

    def remove_user(self, user):
        """Delete an account and its index entries."""
        self.by_login.pop(user.login, None)
        for key in user.index_keys:
            index_remove(self.by_district_role, key, user.uid)
        if user.uid in self.locked_uids:
            self.locked_uids.remove(user.uid)
        if user.external_id is not None and self.by_external_id is not None:
            self.by_external_id.pop(user.external_id, None)
        self.remove(user.uid)

    def set_locked(self, user, locked):
        """Lock or unlock ``user``, keeping :attr:`locked_uids` in step."""
        user.locked = locked
        if locked:
            self.locked_uids.insert(user.uid)
        else:
            user.failed_logins = 0
            if user.uid in self.locked_uids:
                self.locked_uids.remove(user.uid)

    def page(self, start=0, size=50):
        """Return accounts ``start`` to ``start + size`` in login order."""
        uids = self.by_login.values()
        return [self.data[uid] for uid in uids[start:start + size]]

    def find_login(self, login):
        uid = self.by_login.get(self.normalise_login(login))
        return None if uid is None else self.data[uid]
