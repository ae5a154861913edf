"""Applying checked records to the database, matched on their external id.

Every object is written with the portal's own methods, so that every index
is what the app would have made: ``Users.add_user``/``reindex``,
``Dossiers.add_dossier``/``reindex_identity``/``set_referent``/``move_to``,
and, for a contract, ``Dossiers.reindex_contract`` (state and end date
indexes, entry queues, statistics counters, pending work, caseload
summary).  The external ids are indexed on the containers
(``Users.by_external_id``, ``Dossiers.by_external_id``, evolve step
``0018``) and kept on the objects (``external_id``), so that erasing a
dossier or deleting an account removes them too.

A record whose external id is new is *created*; a known one whose imported
fields are those of the file is *unchanged*; otherwise only the imported
fields are *updated*.  Every check is made before anything is written, so a
rejected line leaves nothing behind.

Accounts are created without a password (docs/import.md): an agent logs in
through the identity provider, or the account administrator gives a
temporary password with "Réinitialiser le mot de passe", as for any account;
the creation is written in the administration journal.  Each dossier's
journal says it was imported (action ``import``, and ``import:update``).

An imported contract is in its state as the app would have left it: the
consents that state implies (the notice; the processing, given for an
entered contract, refused for one kept on paper) are recorded on paper,
noted :data:`IMPORT_NOTE`, and its history has one line, the import
(transition :data:`IMPORT`, by the portal).  It is replaced by the next
import of its dossier only while nobody changed it in Portail.
"""
from portail.acl.roles import WORKER
from portail.i18n import _
from portail.importing.records import Rejected
from portail.journal.administration import ACCOUNT_CREATED, ROLES_CHANGED, record_admin_action
from portail.journal.record import record
from portail.models.contract import ConsentRecord, Contract
from portail.models.dossier import Dossier
from portail.models.user import User
from portail.workflow.engine import HistoryRecord

CREATED, UPDATED, UNCHANGED = 'created', 'updated', 'unchanged'
#: who the history, consents and modification of imported objects name
SYSTEM = 'system'
#: the history's transition, and the journal's action, of an import
IMPORT = 'import'
IMPORT_UPDATE = 'import:update'
#: the note of the consents an imported contract's state implies
IMPORT_NOTE = 'import'
#: contract state -> the consents (kind, decision) it implies
IMPLIED_CONSENTS = {
    'draft': (('notice', 'given'),),
    'entered': (('notice', 'given'), ('processing', 'given')),
    'paper': (('notice', 'given'), ('processing', 'refused')),
    'closed': (('notice', 'given'),),
}

LOGIN_TAKEN = _('the login « ${login} » is already used by an account that was not imported '
                'with this id_externe')
LOGIN_CHANGED = _('this id_externe was imported with the login « ${login} »: a login cannot '
                  'change')
UNKNOWN_REFERENT = _('unknown référent « ${login} »')
NOT_A_WORKER = _('the référent « ${login} » is not an active social worker of the district '
                 '« ${district} »')
SAME_IDENTITY = _('a dossier with the same name and birth date is already in Portail: check '
                  'that it is not the same person')
SHARED_WITH_CLI = _('the dossier changes district but a contract is shared with the CLI: '
                    'stop the sharing in Portail first')
CONTRACT_CHANGED = _('the imported contract was changed in Portail since: the import no longer '
                     'changes it')
DUPLICATE_ID = _('id_externe « ${id} » already on line ${line}')


def _reject(message, **mapping):
    raise Rejected(_(message, mapping=mapping))


class Writer:
    """Applies records to ``root`` at ``now``; journals through ``request``
    (a :class:`~portail.system.SystemRequest`) unless ``journal`` is false
    (a dry run, whose transaction is aborted)."""

    def __init__(self, root, request, now, comment, journal=True):
        self.root = root
        self.request = request
        self.now = now
        #: the history line of an imported contract (in the portal's language)
        self.comment = comment
        self.journal = journal

    # -- accounts ------------------------------------------------------------------

    def account(self, rec):
        users = self.root.users
        uid = users.by_external_id.get(rec.external_id)
        if uid is None:
            if users.find_login(rec.login) is not None:
                _reject(LOGIN_TAKEN, login=rec.login)
            user = User(rec.login, rec.fullname, rec.roles, rec.district, rec.qualified)
            user.created_at = self.now
            user.external_id = rec.external_id
            users.add_user(user)
            users.by_external_id[rec.external_id] = user.uid
            if self.journal:
                record_admin_action(self.request, user, ACCOUNT_CREATED)
            return CREATED
        user = users[uid]
        if user.login != rec.login:
            _reject(LOGIN_CHANGED, login=user.login)
        privileges = (tuple(sorted(user.roles)), user.district, user.qualified_social_worker)
        wanted = (rec.roles, rec.district, rec.qualified)
        if privileges == wanted and user.fullname == rec.fullname:
            return UNCHANGED
        user.fullname = rec.fullname
        if privileges != wanted:
            user.assign(rec.roles, rec.district, rec.qualified)
            users.reindex(user)
            user.privileges_changed()
            if self.journal:
                record_admin_action(self.request, user, ROLES_CHANGED)
        return UPDATED

    # -- dossiers ------------------------------------------------------------------

    def referent(self, rec):
        user = self.root.users.find_login(rec.referent)
        if user is None:
            _reject(UNKNOWN_REFERENT, login=rec.referent)
        if WORKER not in user.roles or user.district != rec.district or user.disabled:
            _reject(NOT_A_WORKER, login=rec.referent,
                    district=self.root.districts[rec.district].name)
        return user.uid

    def dossier(self, rec):
        dossiers = self.root.dossiers
        referent = self.referent(rec)
        name = dossiers.by_external_id.get(rec.external_id)
        if name is None:
            if dossiers.lookup(rec.last_name, rec.first_names, rec.birth_date):
                _reject(SAME_IDENTITY)
            self._create(rec, referent)
            return CREATED
        dossier = dossiers[name]
        fields = rec.fields()
        identity_changed = any(fields[n] != getattr(dossier, n)
                               for n in ('last_name', 'first_names', 'birth_date'))
        if identity_changed and any(d is not dossier for d in dossiers.lookup(
                rec.last_name, rec.first_names, rec.birth_date)):
            _reject(SAME_IDENTITY)
        moves = dossier.district != rec.district
        if moves and any(c.cli_summary is not None for c in dossier.contracts.values()):
            _reject(SHARED_WITH_CLI)
        current = (dossier.contracts.get(dossier.imported_contract)
                   if dossier.imported_contract else None)
        replace = (rec.contract is not None and current is not None
                   and not _same_contract(current, rec.contract))
        if replace and not _untouched(current):
            _reject(CONTRACT_CHANGED)
        add = rec.contract is not None and (current is None or replace)
        changed = [n for n, value in fields.items() if getattr(dossier, n) != value]
        if not (changed or moves or referent != dossier.referent or add):
            return UNCHANGED
        # every check passed: write
        old_key = dossiers.identity_of(dossier)
        for field in changed:
            setattr(dossier, field, fields[field])
        if identity_changed:
            dossiers.reindex_identity(dossier, old_key)
        if moves:
            dossiers.move_to(dossier, rec.district, referent)
        elif referent != dossier.referent:
            dossiers.set_referent(dossier, referent)
        if replace:
            dossiers.unindex_contract(current)
            dossier.contracts.remove(current.__name__)
        if add:
            self._contract(dossier, rec.contract)
        dossier.touch(SYSTEM, self.now)
        dossiers.refresh_worklist(dossier)
        if self.journal:
            record(self.request, dossier.__name__, 'dossier', IMPORT_UPDATE, 2)
        return UPDATED

    def _create(self, rec, referent):
        dossiers = self.root.dossiers
        dossier = Dossier(rec.district, referent)
        for name, value in rec.fields().items():
            setattr(dossier, name, value)
        dossier.created_at = self.now
        dossier.touch(SYSTEM, self.now)
        dossier.external_id = rec.external_id
        dossiers.add_dossier(dossier)
        dossiers.by_external_id[rec.external_id] = dossier.__name__
        if self.journal:
            record(self.request, dossier.__name__, 'dossier', IMPORT, 2)
        if rec.contract is not None:
            self._contract(dossier, rec.contract)
        return dossier

    def _contract(self, dossier, rec):
        """A contract in ``rec.state``, indexed as the app indexes one."""
        now = self.now
        contract = Contract()
        contract.created_at = now
        contract.set_content({'start_date': rec.start_date,
                              'duration_months': rec.duration_months,
                              'review_date': rec.review_date})
        dossier.contracts.add(contract)
        for kind, decision in IMPLIED_CONSENTS[rec.state]:
            contract.consents.append(ConsentRecord(kind, decision, now, 'paper', SYSTEM,
                                                   IMPORT_NOTE))
        contract.state = rec.state
        contract.history.append(HistoryRecord(
            transition=IMPORT, source='', target=rec.state, actor=SYSTEM, at=now,
            comment=self.comment, channel='paper'))
        if rec.state == 'entered':
            contract.fingerprint = contract.compute_fingerprint()
        contract.touch(SYSTEM, now)
        self.root.dossiers.reindex_contract(contract)
        dossier.imported_contract = contract.__name__
        if self.journal:
            record(self.request, dossier.__name__, f'contract:{contract.__name__}', IMPORT, 2)
        return contract


def _same_contract(contract, rec):
    return (contract.state, contract.start_date, contract.duration_months,
            contract.review_date) == (rec.state, rec.start_date, rec.duration_months,
                                      rec.review_date)


def _untouched(contract):
    """Whether nobody changed the imported ``contract`` in Portail."""
    return (len(contract.history) == 1 and contract.history[0].transition == IMPORT
            and contract.modified_by == SYSTEM
            and all(c.note == IMPORT_NOTE for c in contract.consents))
