"""Transfer requests (issue 16): a dossier found by the lookup in another
district is not created twice; the worker who found it asks for it.

A :class:`TransferRequest` lives in its dossier's ``transfers`` folder
(created with the first request: a dossier without one needs no evolve
step), so the dossier's référent and the qualified managers of its district
reach it through the dossier (their local roles), and the requester through
their own local role on the request (:func:`portail.acl.localroles.transfer_principals`),
never on the dossier.  ``Dossiers.transfers_by_requester`` lets the
requester's home page find their requests without a scan.

Accepting moves the dossier (:meth:`portail.models.dossier.Dossiers.move_to`):
it keeps its id, so its history, journal chain and the person's account
follow it.
"""
from persistent import Persistent

from portail.acl.localroles import transfer_principals
from portail.acl.matrix import ComputedACL
from portail.i18n import _
from portail.models.container import DossierItem

OPEN, ACCEPTED, REFUSED = 'open', 'accepted', 'refused'
STATUSES = {
    OPEN: _('waiting for an answer'),
    ACCEPTED: _('accepted: the dossier was transferred'),
    REFUSED: _('refused'),
}


class TransferRequest(DossierItem, Persistent):
    """One worker's request to take over a dossier of another district."""

    __acl__ = ComputedACL('transfer', lambda transfer: transfer.status)

    def __init__(self, requested_by, to_district, reason, now):
        self.requested_by = requested_by
        #: the district of the requester when they asked: where the dossier goes
        self.to_district = to_district
        self.reason = reason
        self.created_at = now
        self.status = OPEN
        #: the district the dossier was in when asked (kept after the move)
        self.from_district = None
        self.answer = ''
        self.answered_at = None
        self.answered_by = None
        self.modified_at = now
        self.modified_by = requested_by

    def local_principals(self, identity, now, settings):
        return transfer_principals(self, identity, now, settings)

    def close(self, status, answer, uid, now):
        self.status = status
        self.answer = answer
        self.answered_at = self.modified_at = now
        self.answered_by = self.modified_by = uid


def open_transfer(dossier, uid):
    """The open transfer request of ``uid`` on ``dossier``, if any."""
    folder = dossier.transfers
    if folder is None:
        return None
    for transfer in folder.values():
        if transfer.status == OPEN and transfer.requested_by == uid:
            return transfer
    return None


def open_transfers(dossier):
    """The open transfer requests of ``dossier``, oldest first."""
    folder = dossier.transfers
    if folder is None:
        return []
    return sorted((t for t in folder.values() if t.status == OPEN),
                  key=lambda t: t.created_at)


#: the comment of the history line of a contract unshared by a transfer
UNSHARED_BY_TRANSFER = 'dossier transferred to another district'


def accept(request, transfer):
    """Accept ``transfer``: the copies shared with the old district's CLI are
    withdrawn (the ``unshare`` transition, run by the portal), the dossier
    moves to the requester's district with the requester as référent, the
    other open requests on it are refused.  Each step is journaled on the
    dossier, whose chain moves with it."""
    from portail.journal.record import record
    from portail.workflow.contract import CONTRACT_WORKFLOW

    dossier = transfer.dossier
    dossiers = request.root.dossiers
    for contract in dossier.contracts.values():
        if contract.cli_summary is not None and contract.state == 'shared':
            # the subscriber of every transition reindexes and journals it
            CONTRACT_WORKFLOW.execute(contract, request, 'unshare', system=True,
                                      comment=UNSHARED_BY_TRANSFER)
    now = transfer_time(request)
    uid = request.authenticated_userid
    for other in open_transfers(dossier):
        if other is not transfer:
            other.close(REFUSED, 'dossier transferred to another worker', uid, now)
            record(request, dossier.__name__, f'transfer:{other.__name__}', 'transfer:refused', 1,
                   other.answer)
    transfer.close(ACCEPTED, '', uid, now)
    dossiers.move_to(dossier, transfer.to_district, transfer.requested_by)
    dossier.touch(uid, now)
    record(request, dossier.__name__, f'transfer:{transfer.__name__}', 'transfer:accepted', 2,
           f'{transfer.from_district} -> {transfer.to_district}')


def refuse(request, transfer, answer):
    """Refuse ``transfer`` with the reason ``answer`` (journaled)."""
    from portail.journal.record import record

    dossier = transfer.dossier
    transfer.close(REFUSED, answer, request.authenticated_userid, transfer_time(request))
    request.root.dossiers.refresh_worklist(dossier)
    record(request, dossier.__name__, f'transfer:{transfer.__name__}', 'transfer:refused', 1,
           answer)


def transfer_time(request):
    from portail.clock import utcnow

    return utcnow(request.registry)
