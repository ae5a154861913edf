"""What the social workers have to do: the index behind "À traiter".

A référent's pending work lives in their dossiers: a rights request to
answer within its legal month, a contract signed and waiting to be entered,
an opinion of the CLI not read yet, a review coming or overdue, a contract
ending soon, contact details the person updated.  Finding it by opening
every dossier of a caseload on each home page would grow with the caseload;
so each dossier's pending items are kept, on every write that can change
them, in one index of the dossiers folder (``Dossiers.worklist``, an
``OOBTree``) under the référent's account id, and a home page reads one
range of it (:func:`pending`).

A key is ``(référent, shown from, due, kind, dossier id, item id)``: an item
is shown from its ``shown from`` day (a review 14 days before its date, a
contract's end 30 days before; the rest at once), so the passing of time
needs no write, and the list is ordered by deadline when read.  The keys of
a dossier's items are kept on the dossier (``worklist_keys``), so that
:func:`refresh` replaces exactly them after any change: of a contract
(through ``Dossiers.reindex_contract``), a request, the référent.

Delegates see the items of the dossiers delegated to them, read through the
delegations index (:meth:`~portail.models.dossier.Dossiers.delegated_to`),
which are few: :func:`pending` takes both.

A transfer request may also be answered by a qualified manager of the
dossier's district (the référent may be the one leaving): its item is kept a
second time under the district (:func:`district_owner`), whose range the
manager's home page reads.

The index holds opaque ids and dates only: the page names the person from
the dossier, which the reader may open.
"""
from datetime import timedelta

from BTrees.OOBTree import OOBTree

from portail.models.contract import signed_at

#: a rights request to answer: due on its deadline, shown at once
REQUEST = 'request'
#: a contract signed (online or on paper) and waiting to be entered
ENTRY = 'entry'
#: an opinion of the CLI the référent has not read yet
OPINION = 'opinion'
#: a review of the contract: shown REVIEW_NOTICE before its date
REVIEW = 'review'
#: the end of a running contract, with no newer contract: shown ENDING_NOTICE before
ENDING = 'ending'
#: a request of a worker of another district to take the dossier over (issue 16)
TRANSFER = 'transfer'
#: contact details the person updated, not seen yet by the référent (issue 17)
CONTACT = 'contact'
KINDS = (REQUEST, ENTRY, OPINION, REVIEW, ENDING, TRANSFER, CONTACT)

#: the kinds a qualified manager of the dossier's district also has to do
DISTRICT_KINDS = frozenset({TRANSFER})

REVIEW_NOTICE = timedelta(days=14)
ENDING_NOTICE = timedelta(days=30)
#: the contract states in which a contract runs
RUNNING = frozenset({'entered', 'shared', 'paper'})


def create(dossiers):
    """Create the index and fill it from every dossier (evolve step)."""
    dossiers.worklist = OOBTree()
    for dossier in dossiers.values():
        dossier.worklist_keys = ()  # the new tree holds none of them
        refresh(dossiers, dossier)


def items_of(dossier):
    """``(shown from, due, kind, item id)`` of the pending work in ``dossier``
    (dates as ISO text)."""
    found = []
    for name, rq in dossier.requests.items():
        if rq.status == 'open':
            found.append((rq.created_at.date().isoformat(), rq.deadline.isoformat(), REQUEST,
                          name))
    for name, transfer in (dossier.transfers.items() if dossier.transfers is not None else ()):
        if transfer.status == 'open':
            day = transfer.created_at.date().isoformat()
            found.append((day, day, TRANSFER, name))
    if dossier.contact_change is not None:
        day = dossier.contact_change[0]
        found.append((day, day, CONTACT, CONTACT))
    contracts = list(dossier.contracts.values())
    latest_start = max((c.start_date for c in contracts
                        if c.start_date is not None and c.state != 'closed'), default=None)
    for contract in contracts:
        name = contract.__name__
        if contract.state == 'signed':
            signed = signed_on(contract)
            found.append((signed, signed, ENTRY, name))
        if contract.cli_opinion is not None and contract.cli_opinion_seen_at is None:
            given = opinion_day(contract)
            found.append((given, given, OPINION, name))
        if contract.state in RUNNING:
            if contract.review_date is not None:
                found.append(((contract.review_date - REVIEW_NOTICE).isoformat(),
                              contract.review_date.isoformat(), REVIEW, name))
            end = contract.end_date
            if end is not None and contract.start_date == latest_start:
                found.append(((end - ENDING_NOTICE).isoformat(), end.isoformat(), ENDING, name))
    return found


def signed_on(contract):
    """The day a contract was signed (ISO text)."""
    at = signed_at(contract)
    return at.date().isoformat() if at is not None else ''


def opinion_day(contract):
    """The day the CLI's opinion was recorded (ISO text)."""
    return (contract.cli_opinion.get('at') or '')[:10]


def district_owner(district):
    """The owner, in the index, of the items the managers of ``district``
    have to do (account ids never contain a colon)."""
    return f'district:{district}'


def keys_of(dossier):
    """The index keys of ``dossier``'s pending work: each item under its
    référent, and the :data:`DISTRICT_KINDS` under its district too."""
    keys = []
    for shown, due, kind, item in items_of(dossier):
        keys.append((dossier.referent, shown, due, kind, dossier.__name__, item))
        if kind in DISTRICT_KINDS:
            keys.append((district_owner(dossier.district), shown, due, kind, dossier.__name__,
                         item))
    return tuple(keys)


def refresh(dossiers, dossier):
    """Replace ``dossier``'s items in the index by what it holds now."""
    tree = dossiers.worklist
    if tree is None:  # a database not evolved yet: nothing to keep in step
        return
    keys = keys_of(dossier)
    old = dossier.worklist_keys
    if keys == old:
        return  # most changes leave the pending work as it was: write nothing
    # only the keys that change: fewer writes to a tree every worker shares
    for key in set(old) - set(keys):
        tree.pop(key, None)
    for key in set(keys) - set(old):
        tree[key] = None
    dossier.worklist_keys = keys


def forget(dossiers, dossier):
    """Remove ``dossier``'s items (the dossier is being erased)."""
    tree = dossiers.worklist
    if tree is not None:
        for key in dossier.worklist_keys:
            tree.pop(key, None)
    dossier.worklist_keys = ()


def pending(dossiers, uid, today, delegated=()):
    """``(due, kind, dossier id, item id)`` of the work ``uid`` has to do on
    ``today`` (a date): as référent, and in the dossiers ``delegated`` to
    them; by deadline."""
    tree = dossiers.worklist
    if tree is None:
        return []
    shown_until = today.isoformat()
    found = [(due, kind, dossier, item) for (_uid, _shown, due, kind, dossier, item)
             in tree.keys(min=(uid,), max=(uid, shown_until + '\uffff'))]
    for name in delegated:
        dossier = dossiers.get(name)
        if dossier is None:
            continue
        found.extend((due, kind, name, item) for (owner, shown, due, kind, _d, item)
                     in dossier.worklist_keys
                     if shown <= shown_until and owner == dossier.referent)
    return sorted(found)
