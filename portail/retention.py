"""Retention and real erasure (docs/domain.md, *Rights of the person*; issue 5).

A dossier with no open contract and no contact for
``portail.retention_years`` (2, the CNIL's reference for social services),
or whose erasure the référent accepted on a request, is erased: the dossier,
its contracts, notes and requests, its CLI summaries, its beneficiary account
and every index entry, and from the access journal the dossier's chain
(every entry about the dossier, the lookup reasons typed for the person
among them), its removal recorded in the anchor chain by the dossier's
opaque id alone, and the dossier's entries still waiting in the outbox
(:func:`portail.journal.outbox.drop_dossier`), which must not bring the
chain back.  :func:`pack_away` then packs both databases so that no old
revision keeps the bytes, and removes what FileStorage's pack leaves behind
(``Data.fs.old``, ``Journal.fs.old``).  The journal's other entries keep
their own retention (``portail-journal purge``).
"""
import os

from portail.acl.roles import BENEFICIARY
from portail.journal import outbox
from portail.journal.ledger import remove_chain
from portail.journal.model import JOURNAL_DB, ROOT_KEY
from portail.models.cli import remove_summary


def last_contact(dossier):
    """The latest change to the dossier or to anything in it."""
    dates = [dossier.modified_at, dossier.created_at]
    for folder in (dossier.contracts, dossier.notes, dossier.requests):
        dates.extend(child.modified_at for child in folder.values())
    return max(d for d in dates if d is not None)


def has_open_contract(dossier):
    return any(c.state != 'closed' for c in dossier.contracts.values())


def erasure_accepted(dossier):
    return any(r.kind == 'erasure' and r.status == 'accepted'
               for r in dossier.requests.values())


def due(root, now, years, progress=None):
    """Dossiers to erase now: past retention, or erasure accepted on request.
    ``progress`` (a :class:`portail.scripts.progress.Progress`) counts the
    dossiers looked at."""
    limit = now.replace(year=now.year - years)
    found = []
    for dossier in root.dossiers.values():
        if erasure_accepted(dossier) or (
                not has_open_contract(dossier) and last_contact(dossier) < limit):
            found.append(dossier)
        if progress is not None:
            progress.advance()
    return found


def erase_dossier(root, dossier, journal_key, now):
    """Erase ``dossier`` (:func:`erase`), remove its chain from the journal
    and drop its entries from the outbox, in the same transaction."""
    journal_root = root._p_jar.get_connection(JOURNAL_DB).root()
    remove_chain(journal_root[ROOT_KEY], journal_key, dossier.__name__, now)
    outbox.drop_dossier(root._p_jar.root(), journal_root, dossier.__name__)
    erase(root, dossier)


def erase(root, dossier):
    """Remove ``dossier`` and everything about the person from the object tree."""
    dossiers = root.dossiers
    for contract in list(dossier.contracts.values()):
        if contract.cli_summary is not None:
            remove_summary(root, contract)
        dossiers.unindex_contract(contract)
    for uid in list(dossier.delegations):
        dossiers.revoke(dossier, uid)
    for name in list(dossier.requests):
        rq = dossier.requests[name]
        dossiers.requests_index.pop((rq.deadline.isoformat(), dossier.__name__, name), None)
    account = root.users.get(dossier.beneficiary) if dossier.beneficiary else None
    dossiers.set_beneficiary(dossier, None)
    if account is not None and account.roles == (BENEFICIARY,):
        root.users.remove_user(account)
    dossiers.remove_dossier(dossier)


def storage_file(db):
    """The file of ``db``'s storage if it is a FileStorage, else ``None``."""
    return getattr(db.storage, '_file_name', None)


def pack_away(db, storage_path=None):
    """Pack ``db`` to now (old revisions and unreachable objects go) and remove
    the copy FileStorage's pack keeps (``.old``)."""
    db.pack(days=0)
    if storage_path:
        for suffix in ('.old', '.pack', '.tmp', '.tr'):
            leftover = storage_path + suffix
            if os.path.exists(leftover):
                os.remove(leftover)
