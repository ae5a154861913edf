"""Dossiers: each person's file (docs/domain.md, *Object tree* and *Confidentiality levels*).

A :class:`Dossier` holds the identity (level 1) and the administrative data
(level 2) of one person, and a folder of contracts.  :class:`Dossiers` keeps
the indexes that every listing reads (never a scan of all dossiers):
référent → dossiers, beneficiary account → dossier, exact identity →
dossiers, (district, state) and end date → contracts, and each district's
signed contracts in the order they were signed (the secretary's queue),
and each dossier's summary with the référent → name index of the caseload
page (:mod:`portail.models.caseload`).
"""
import unicodedata
from dataclasses import dataclass

from BTrees.OOBTree import OOBTree
from persistent import Persistent

from portail.acl.localroles import active, active_delegation, dossier_principals
from portail.acl.matrix import ComputedACL
from portail.models import caseload, worklist
from portail.models.container import Container
from portail.models.contract import signed_at  # noqa: F401 (also read from here)
from portail.models.index import index_add, index_remove
from portail.models.ordered import OrderedIndex, time_key, time_of
from portail.statistics import counters

IDENTITY_FIELDS = ('last_name', 'first_names', 'birth_date')
ADMIN_FIELDS = ('address', 'phone', 'email', 'household_size')
#: the administrative fields the person updates themselves (issue 17)
CONTACT_FIELDS = ('address', 'phone', 'email')


def normalise_name(name):
    """Upper case without accents or extra spaces: ``Élodie  d'Arc`` → ``ELODIE D'ARC``."""
    decomposed = unicodedata.normalize('NFKD', name or '')
    plain = ''.join(c for c in decomposed if not unicodedata.combining(c))
    return ' '.join(plain.upper().split())


@dataclass(frozen=True)
class Delegation:
    """A colleague standing in for the référent until ``until`` (inclusive)."""

    delegate: str
    until: object
    notes: bool
    granted_by: str
    granted_at: object


def identity_key(last_name, first_names, birth_date):
    return (normalise_name(last_name), normalise_name(first_names), birth_date.isoformat())


class Dossier(Persistent):
    """One person's file.  ``referent`` and ``beneficiary`` are account uids."""

    __acl__ = ComputedACL('dossier')
    #: the keys of its pending work in ``Dossiers.worklist`` (:mod:`portail.models.worklist`)
    worklist_keys = ()
    #: its transfer requests (a Container, created with the first: issue 16)
    transfers = None
    #: the person's last update of their contact details that the référent
    #: has not seen yet: ``(ISO day, names of the fields changed)`` (issue 17)
    contact_change = None
    #: its letters (a Container, created with the first: portail/letters, issue 17)
    letters = None
    #: its id in the information system it was imported from, and the name of
    #: the contract the import made (:mod:`portail.importing`, issue 19)
    external_id = None
    imported_contract = None

    def __init__(self, district, referent):
        self.district = district
        self.referent = referent
        self.beneficiary = None
        self.last_name = ''
        self.first_names = ''
        self.birth_date = None
        self.address = ''
        self.phone = ''
        self.email = ''
        self.household_size = None
        self.created_at = None
        self.modified_at = None
        self.modified_by = None
        #: delegate uid -> :class:`Delegation`
        self.delegations = OOBTree()
        self.contracts = Container()
        self.contracts.__name__ = 'contracts'
        self.contracts.__parent__ = self
        self.notes = Container()
        self.notes.__name__ = 'notes'
        self.notes.__parent__ = self
        self.requests = Container()
        self.requests.__name__ = 'requests'
        self.requests.__parent__ = self

    def __getitem__(self, name):
        if name in ('contracts', 'notes', 'requests'):
            return getattr(self, name)
        if name == 'transfers' and self.transfers is not None:
            return self.transfers
        if name == 'letters' and self.letters is not None:
            return self.letters
        raise KeyError(name)

    @property
    def limited(self):
        """An accepted limitation request freezes processing until lifted
        (docs/domain.md, *Rights of the person*)."""
        return any(r.freezes for r in self.requests.values())

    def local_principals(self, identity, now, settings):
        return dossier_principals(self, identity, now, settings)

    @property
    def display_name(self):
        return f'{self.last_name.upper()} {self.first_names}'

    def touch(self, uid, now):
        self.modified_by = uid
        self.modified_at = now


class Dossiers(Container):
    """The ``/dossiers`` folder (up to 100 000 children) and its indexes."""

    __acl__ = ComputedACL('dossiers')
    #: the référents' pending work (:mod:`portail.models.worklist`; evolve step 0011)
    worklist = None
    #: district -> OrderedIndex of the signed contracts that cannot be entered
    #: yet, the person's consent to the processing missing (evolve step 0014);
    #: ``signed_queue`` holds those that can
    consent_queue = None
    #: requester uid -> (dossier id, transfer id) of their transfer requests
    #: (created with the first request: issue 16)
    transfers_by_requester = None
    #: dossier id -> caseload Summary, and (référent, folded name, dossier id)
    #: -> the same Summary (:mod:`portail.models.caseload`; evolve step 0015)
    summaries = None
    caseload_index = None
    #: external id -> dossier id of the imported dossiers (:mod:`portail.importing`;
    #: evolve step 0018)
    by_external_id = None

    def __init__(self):
        super().__init__()
        self.by_referent = OOBTree()
        #: delegate uid -> dossier names (expired delegations are filtered on read)
        self.by_delegate = OOBTree()
        self.by_beneficiary = OOBTree()
        #: (deadline, dossier, request) of every rights request, for the DPO
        self.requests_index = OOBTree()
        self.by_identity = OOBTree()
        self.contracts_by_district_state = OOBTree()
        self.contracts_by_end = OOBTree()
        #: district -> OrderedIndex of (signed at, dossier, contract): the entry queue
        self.signed_queue = OOBTree()
        self.consent_queue = OOBTree()
        self.by_external_id = OOBTree()

    # -- dossiers ----------------------------------------------------------

    def add_dossier(self, dossier):
        name = self.add(dossier)
        index_add(self.by_referent, dossier.referent, name)
        index_add(self.by_identity, self.identity_of(dossier), name)
        if dossier.beneficiary:
            self.by_beneficiary[dossier.beneficiary] = name
        caseload.refresh(self, dossier)
        return name

    @staticmethod
    def identity_of(dossier):
        return identity_key(dossier.last_name, dossier.first_names, dossier.birth_date)

    def reindex_identity(self, dossier, old_key):
        index_remove(self.by_identity, old_key, dossier.__name__)
        index_add(self.by_identity, self.identity_of(dossier), dossier.__name__)
        caseload.refresh(self, dossier)

    def set_referent(self, dossier, uid):
        index_remove(self.by_referent, dossier.referent, dossier.__name__)
        dossier.referent = uid
        index_add(self.by_referent, uid, dossier.__name__)
        worklist.refresh(self, dossier)
        caseload.refresh(self, dossier)

    def remove_dossier(self, dossier):
        """Take ``dossier`` out of the folder and of the référent and identity indexes."""
        index_remove(self.by_referent, dossier.referent, dossier.__name__)
        index_remove(self.by_identity, self.identity_of(dossier), dossier.__name__)
        worklist.forget(self, dossier)
        caseload.forget(self, dossier)
        if dossier.external_id is not None and self.by_external_id is not None:
            self.by_external_id.pop(dossier.external_id, None)
        self.remove(dossier.__name__)

    def unindex_contract(self, contract):
        """Take ``contract`` out of the contract indexes and the statistics (erasure)."""
        dossier = contract.dossier
        ref = (dossier.__name__, contract.__name__)
        state_key, end_key = contract.index_keys or (None, None)
        if state_key is not None:
            index_remove(self.contracts_by_district_state, state_key, ref)
        if end_key is not None:
            index_remove(self.contracts_by_end, end_key, ref)
        contract.index_keys = None
        self._leave_queue(contract)
        counters.update(self.__parent__.statistics, contract, removed=True)

    def delegate(self, dossier, delegation):
        dossier.delegations[delegation.delegate] = delegation
        index_add(self.by_delegate, delegation.delegate, dossier.__name__)

    def revoke(self, dossier, uid):
        dossier.delegations.pop(uid, None)
        index_remove(self.by_delegate, uid, dossier.__name__)

    def delegated_to(self, uid, now, absences=True):
        """Dossiers where ``uid`` is an active delegate at ``now``: delegated
        one by one, and (with ``absences``) all those of the social workers
        whose absence ``uid`` covers."""
        found = []
        seen = set()
        for name in self.by_delegate.get(uid, ()):
            dossier = self.data[name]
            if dossier.delegations.get(uid) is not None and active_delegation(
                    dossier, uid, now) is not None:
                found.append(dossier)
                seen.add(name)
        if absences:
            for referent in self.absences_covered(uid, now):
                found.extend(self.data[name] for name in self.by_referent.get(referent.uid, ())
                             if name not in seen)
        return found

    def absences_covered(self, uid, now):
        """The social workers whose running absence ``uid`` covers."""
        users = self.__parent__.users
        return [user for user in users.absent_for(uid)
                if user.absence is not None and user.absence.delegate == uid
                and active(user.absence.until, now)]

    def add_request(self, dossier, request_obj):
        name = dossier.requests.add(request_obj)
        self.requests_index[(request_obj.deadline.isoformat(), dossier.__name__, name)] = None
        worklist.refresh(self, dossier)
        return name

    # -- transfers between districts (issue 16) -------------------------------

    def add_transfer(self, dossier, transfer):
        """Store ``transfer`` in ``dossier``'s transfers and index it under
        its requester; the référent's pending work shows it."""
        if dossier.transfers is None:
            folder = Container()
            folder.__name__, folder.__parent__ = 'transfers', dossier
            dossier.transfers = folder
        transfer.from_district = dossier.district
        name = dossier.transfers.add(transfer)
        if self.transfers_by_requester is None:
            self.transfers_by_requester = OOBTree()
        index_add(self.transfers_by_requester, transfer.requested_by, (dossier.__name__, name))
        worklist.refresh(self, dossier)
        return name

    def transfers_of(self, uid):
        """The transfer requests ``uid`` made, newest first."""
        index = self.transfers_by_requester
        found = []
        for dossier_name, name in (index.get(uid, ()) if index is not None else ()):
            dossier = self.data.get(dossier_name)
            if dossier is not None and dossier.transfers is not None and name in dossier.transfers:
                found.append(dossier.transfers[name])
        return sorted(found, key=lambda t: t.created_at, reverse=True)

    def move_to(self, dossier, district, referent):
        """Move ``dossier`` to ``district`` with ``referent`` (issue 16).

        The dossier keeps its id, so its contracts, notes, requests, history
        and journal chain move with it.  Every index keyed by district or by
        référent is kept in step: the référent index and pending work, each
        contract's (district, state) index, entry queue and statistics
        counters (:meth:`reindex_contract`).  The delegations end (the old
        district's delegates lose access) and so do the notes' grants to
        colleagues.  The person's account, if any, moves to the district too.
        A copy shared with the old district's CLI must be withdrawn first (the
        ``unshare`` transition): refused otherwise.
        """
        if any(c.cli_summary is not None for c in dossier.contracts.values()):
            raise ValueError('withdraw the copies shared with the CLI first')
        for uid in list(dossier.delegations.keys()):
            self.revoke(dossier, uid)
        for note in dossier.notes.values():
            note.grants.clear()
        dossier.district = district
        self.set_referent(dossier, referent)
        for contract in dossier.contracts.values():
            self.reindex_contract(contract)
        users = self.__parent__.users
        account = users.get(dossier.beneficiary) if dossier.beneficiary else None
        if account is not None and account.district != district:
            account.district = district
            users.reindex(account)
        worklist.refresh(self, dossier)

    def caseload_of(self, uid, prefix=''):
        """``[(dossier id, Summary)]`` of ``uid``'s dossiers whose folded
        name starts with ``prefix``, in name order (one range of an index)."""
        return caseload.of_referent(self, uid, prefix)

    def delegated_names(self, uid, now):
        """``(dossier ids delegated one by one, référents whose absence
        ``uid`` covers)`` at ``now``: what :meth:`delegated_to` reads, without
        opening the dossiers of the absent colleagues."""
        names = []
        for name in self.by_delegate.get(uid, ()):
            dossier = self.data[name]
            if dossier.delegations.get(uid) is not None and active_delegation(
                    dossier, uid, now) is not None:
                names.append(name)
        return names, [user.uid for user in self.absences_covered(uid, now)]

    def refresh_worklist(self, dossier):
        """Keep the référents' pending work in step after a change that
        ``reindex_contract`` does not see (a request answered, an opinion read)."""
        worklist.refresh(self, dossier)

    def set_beneficiary(self, dossier, uid):
        if dossier.beneficiary:
            self.by_beneficiary.pop(dossier.beneficiary, None)
        dossier.beneficiary = uid
        if uid:
            self.by_beneficiary[uid] = dossier.__name__

    def lookup(self, last_name, first_names, birth_date):
        """Dossiers whose identity matches exactly (accents and case aside)."""
        names = self.by_identity.get(identity_key(last_name, first_names, birth_date), ())
        return [self.data[n] for n in names]

    def of_referent(self, uid):
        return [self.data[n] for n in self.by_referent.get(uid, ())]

    def of_beneficiary(self, uid):
        name = self.by_beneficiary.get(uid)
        return None if name is None else self.data[name]

    # -- contracts ---------------------------------------------------------

    def reindex_contract(self, contract):
        """Keep the contract indexes in step after a change of state or dates.

        The keys a contract is indexed under are kept on the contract
        (``index_keys``, ``queue_key``), so a change only touches the buckets
        concerned; a contract joins its district's entry queue when it is
        signed and leaves it with its next change of state.  The statistics
        counters are an index too (:mod:`portail.statistics.counters`).
        """
        dossier = contract.dossier
        ref = (dossier.__name__, contract.__name__)
        old_state_key, old_end_key = contract.index_keys or (None, None)
        state_key = (dossier.district, contract.state)
        end = contract.end_date
        end_key = end.isoformat() if end is not None and contract.state != 'closed' else None
        if state_key != old_state_key:
            if old_state_key is not None:
                index_remove(self.contracts_by_district_state, old_state_key, ref)
            index_add(self.contracts_by_district_state, state_key, ref)
            self._leave_queue(contract)
            if contract.state == 'signed':
                self._join_queue(contract)
        if end_key != old_end_key:
            if old_end_key is not None:
                index_remove(self.contracts_by_end, old_end_key, ref)
            if end_key is not None:
                index_add(self.contracts_by_end, end_key, ref)
        contract.index_keys = (state_key, end_key)
        counters.update(self.__parent__.statistics, contract)
        worklist.refresh(self, dossier)
        caseload.refresh(self, dossier)

    def contract(self, ref):
        dossier_name, contract_name = ref
        return self.data[dossier_name].contracts[contract_name]

    def contracts_in(self, district, state):
        return [self.contract(ref)
                for ref in self.contracts_by_district_state.get((district, state), ())]

    def _join_queue(self, contract):
        """Put a contract that was just signed into its district's entry queue,
        or, while the person's consent to the processing is missing, into
        the queue of those waiting for it.

        Its key is (signing time, dossier id, contract id): the signing time
        is the line of its history that signed it."""
        dossier = contract.dossier
        key = (time_key(signed_at(contract)), dossier.__name__, contract.__name__)
        ready = contract.has_consent('processing')
        self.add_district_queue(dossier.district)  # add_district made it: defensive
        self._queues(ready)[dossier.district].add(key)
        contract.queue_key = (dossier.district, key)
        contract.queue_ready = ready

    def _leave_queue(self, contract):
        """Take a contract out of the entry queues, if it is in one."""
        if contract.queue_key is None:
            return
        district, key = contract.queue_key
        queue = self._queues(contract.queue_ready).get(district)
        if queue is not None:
            queue.discard(key)
        contract.queue_key = None
        contract.queue_ready = True

    def _queues(self, ready):
        if ready:
            return self.signed_queue
        if self.consent_queue is None:
            self.consent_queue = OOBTree()
        return self.consent_queue

    def requeue(self, contract):
        """A consent of a signed contract changed: move it to the queue it
        belongs to now (ready to enter, or waiting for the consent)."""
        if contract.state != 'signed':
            return
        if contract.queue_key is None or contract.queue_ready != contract.has_consent(
                'processing'):
            self._leave_queue(contract)
            self._join_queue(contract)

    def waiting_count(self, district):
        """How many signed contracts of ``district`` wait for the consent."""
        queue = (self.consent_queue or {}).get(district)
        return 0 if queue is None else len(queue)

    def waiting_page(self, district, start, size):
        """Like :meth:`signed_page`, for the contracts waiting for the consent."""
        queue = (self.consent_queue or {}).get(district)
        if queue is None:
            return []
        return [(time_of(key[0]), self.contract(key[1:])) for key in queue.slice(start, size)]

    def signed_count(self, district):
        """How many contracts of ``district`` wait in state ``signed``."""
        queue = self.signed_queue.get(district)
        return 0 if queue is None else len(queue)

    def signed_page(self, district, start, size):
        """``[(signed at, contract)]``: the signed contracts of ``district`` at
        positions ``start`` to ``start + size`` of the queue, oldest signature first."""
        queue = self.signed_queue.get(district)
        if queue is None:
            return []
        return [(time_of(key[0]), self.contract(key[1:])) for key in queue.slice(start, size)]

    def add_district_queue(self, district):
        """Create the (empty) entry queue of a new district."""
        if district not in self.signed_queue:
            self.signed_queue[district] = OrderedIndex()
        waiting = self._queues(False)
        if district not in waiting:
            waiting[district] = OrderedIndex()

    def rebuild_signed_queue(self, districts):
        """Refill the entry queue of each of ``districts`` (ids) from the
        (district, state) index, reading only the signed contracts (evolve
        step ``0005``)."""
        self.signed_queue = OOBTree()
        self.consent_queue = OOBTree()
        for district in districts:
            self.add_district_queue(district)
        for (_district, state), refs in self.contracts_by_district_state.items():
            if state == 'signed':
                for ref in refs:
                    self._join_queue(self.contract(ref))

    def contracts_ending_before(self, day):
        """Contracts not closed whose end date is before ``day``."""
        refs = []
        for _end, bucket in self.contracts_by_end.items(max=day.isoformat(), excludemax=True):
            refs.extend(bucket)
        return [self.contract(ref) for ref in refs]
