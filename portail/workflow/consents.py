"""Recording consents, and what a refusal or a withdrawal sets off (docs/domain.md, *Workflow*).

A consent record is never changed: each decision is a new record.
Withdrawing (or refusing) the consent to share with the CLI unshares the
contract at once; withdrawing the consent to computerised processing turns
every entered or shared contract of the person into a paper-only record (a
refusal recorded on one contract concerns that contract only).
"""
from portail.clock import utcnow
from portail.journal.record import record as journal
from portail.models.contract import CHANNELS, CONSENT_KINDS, DECISIONS, ConsentRecord
from portail.workflow.contract import CONTRACT_WORKFLOW

NEGATIVE = ('refused', 'withdrawn')


def record_consent(request, contract, kind, decision, channel, note=''):
    """Append a consent record to ``contract`` and run its consequences."""
    if kind not in CONSENT_KINDS or decision not in DECISIONS or channel not in CHANNELS:
        raise ValueError('unknown consent kind, decision or channel')
    now = utcnow(request.registry)
    uid = request.authenticated_userid
    record = ConsentRecord(kind, decision, now, channel, uid, note)
    contract.consents.append(record)
    contract.touch(uid, now)
    journal(request, contract.dossier.__name__, f'contract:{contract.__name__}',
            f'consent:{kind}:{decision}', 2, channel)
    request.root.dossiers.requeue(contract)
    if decision not in NEGATIVE:
        return record
    label = f'{kind}:{decision}'
    if kind == 'share_cli' and contract.state == 'shared':
        CONTRACT_WORKFLOW.execute(contract, request, 'unshare', system=True, consent=label,
                                  channel=channel)
    if kind == 'processing':
        # a withdrawal covers all the person's contracts; a refusal, this one
        targets = contract.dossier.contracts.values() if decision == 'withdrawn' else [contract]
        for other in targets:
            if other.state not in ('entered', 'shared'):
                continue
            if other is not contract:
                other.consents.append(record)
            CONTRACT_WORKFLOW.execute(other, request, 'withdraw_processing', system=True,
                                      consent=label, channel=channel)
    return record
