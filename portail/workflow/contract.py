"""The insertion contract workflow of docs/domain.md, *Workflow*, as data.

:data:`STATES` and :data:`TRANSITIONS` describe the machine;
:data:`PERMISSIONS_BY_STATE` is the one table (states × local roles ×
permissions) from which every contract's ``__acl__`` is set at each
transition.  ``portail-reapply-acls`` rewrites every contract's ACL from it
whenever it changes.
"""
import dataclasses

from portail.acl import localroles as L
from portail.acl import permissions as P
from portail.clock import utcnow
from portail.i18n import _
from portail.journal.record import record
from portail.models.cli import remove_summary, share_summary
from portail.workflow.engine import Transition, Workflow

STATES = {
    'draft': _('draft'),
    'signed': _('signed'),
    'entered': _('entered'),
    'paper': _('kept on paper'),
    'shared': _('shared with the CLI'),
    'closed': _('closed'),
}

_BENEFICIARY = {P.VIEW_CONTRACT, P.GIVE_CONSENT}
#: the référent and their active delegates act alike (docs/domain.md, *Confidentiality levels*)
_ACTING = (L.REFERENT, L.DELEGATE)


def _table(rows):
    """Expand ``{(principal, ...): permissions}`` rows into principal → permissions."""
    table = {}
    for state, grants in rows.items():
        table[state] = {}
        for principals, permissions in grants.items():
            for principal in principals if isinstance(principals, tuple) else (principals,):
                table[state][principal] = frozenset(permissions)
    return table


#: state → local role → permissions: the one table every contract ACL comes from
PERMISSIONS_BY_STATE = _table({
    'draft': {
        _ACTING: {P.VIEW_CONTRACT, P.EDIT_CONTRACT, P.RECORD_SIGNATURE, P.CLOSE,
                  P.RECORD_CONSENT},
        L.BENEFICIARY: _BENEFICIARY | {P.SIGN},
        L.MANAGER: {P.VIEW_CONTRACT},
    },
    'signed': {
        _ACTING: {P.VIEW_CONTRACT, P.ENTER, P.KEEP_ON_PAPER, P.AMEND, P.CLOSE, P.RECORD_CONSENT},
        L.BENEFICIARY: _BENEFICIARY,
        L.SECRETARY: {P.VIEW_CONTRACT},
        L.ENTERING_SECRETARY: {P.ENTER},
        L.MANAGER: {P.VIEW_CONTRACT},
    },
    'entered': {
        _ACTING: {P.VIEW_CONTRACT, P.SHARE, P.AMEND, P.CLOSE, P.RECORD_CONSENT},
        L.BENEFICIARY: _BENEFICIARY,
        L.SECRETARY: {P.VIEW_CONTRACT},
        L.MANAGER: {P.VIEW_CONTRACT},
    },
    'shared': {
        _ACTING: {P.VIEW_CONTRACT, P.UNSHARE, P.AMEND, P.CLOSE, P.RECORD_CONSENT},
        L.BENEFICIARY: _BENEFICIARY,
        L.SECRETARY: {P.VIEW_CONTRACT},
        L.MANAGER: {P.VIEW_CONTRACT},
        L.CLI: {P.CLI_OPINION},
    },
    'paper': {
        _ACTING: {P.VIEW_CONTRACT, P.AMEND, P.CLOSE, P.RECORD_CONSENT},
        L.BENEFICIARY: _BENEFICIARY,
        L.MANAGER: {P.VIEW_CONTRACT},
    },
    'closed': {
        _ACTING: {P.VIEW_CONTRACT},
        L.BENEFICIARY: {P.VIEW_CONTRACT},
        L.MANAGER: {P.VIEW_CONTRACT},
    },
})

# -- guards: return None, or the message naming what is missing -------------


def dossier_not_limited(contract, request, **options):
    if contract.dossier.limited:
        return _('The processing of this dossier is limited at the request of the beneficiary: '
                 'nothing can change until the limitation is lifted.')
    return None


def notice_delivered(contract, request, **options):
    if not contract.has_consent('notice'):
        return _('The delivery of the information notice to the beneficiary is not recorded.')
    return None


def content_complete(contract, request, **options):
    if not (contract.start_date and contract.duration_months and contract.themes
            and contract.actions.strip()):
        return _('The contract is incomplete: start date, duration, themes and actions '
                 'are required before signing.')
    return None


def processing_consent(contract, request, **options):
    if not contract.has_consent('processing'):
        return _("The beneficiary's consent to computerised processing is not recorded.")
    return None


def processing_refused(contract, request, **options):
    record = contract.latest_consent('processing')
    if record is None or record.decision == 'given':
        return _("The beneficiary's refusal of computerised processing is not recorded.")
    return None


def matches_signed_text(contract, request, **options):
    if contract.fingerprint != contract.compute_fingerprint():
        return _('The content differs from the text the beneficiary signed.')
    return None


def share_consent(contract, request, **options):
    if not contract.has_consent('share_cli'):
        return _("The beneficiary's consent to sharing with the CLI is not recorded.")
    return None


#: fields the référent may choose to share with the CLI
SHAREABLE_FIELDS = ('identity', 'start_date', 'duration_months', 'themes', 'actions',
                    'commitments', 'review_date')


def fields_chosen(contract, request, fields=(), **options):
    if not fields or set(fields) - set(SHAREABLE_FIELDS):
        return _('Choose the fields to share with the CLI (at least one).')
    return None


def valid_opinion(contract, request, opinion=None, **options):
    if opinion not in ('favourable', 'reserved', 'adjourned'):
        return _('Choose the opinion of the CLI.')
    return None


# -- callbacks ---------------------------------------------------------------


def freeze_signed_text(contract, request, **options):
    contract.fingerprint = contract.compute_fingerprint()


def forget_signature(contract, request, **options):
    """Amend: keep the current version in ``versions``, open a new draft."""
    contract.versions.append({
        'version': contract.version,
        'state': contract.state,
        'fingerprint': contract.fingerprint,
        'content': contract.content(),
        'until': utcnow(request.registry).isoformat(),
    })
    contract.version += 1
    contract.fingerprint = None


def withdraw_summary(contract, request, **options):
    if contract.cli_summary is not None:
        remove_summary(request.root, contract)


def create_summary(contract, request, fields=(), **options):
    contract.cli_fields = tuple(f for f in SHAREABLE_FIELDS if f in fields)
    share_summary(request.root, contract)


def keep_only_paper_facts(contract, request, **options):
    withdraw_summary(contract, request)
    contract.erase_computerised_content()
    for index, line in enumerate(contract.history):
        if line.comment:
            contract.history[index] = dataclasses.replace(line, comment='')


def record_opinion(contract, request, opinion=None, opinion_comment='', **options):
    contract.cli_opinion = {'opinion': opinion, 'comment': opinion_comment,
                            'at': utcnow(request.registry).isoformat()}


TRANSITIONS = (
    Transition('sign', _('Sign the contract'), ('draft',), 'signed', P.SIGN,
               guards=(notice_delivered, content_complete), before=(freeze_signed_text,)),
    Transition('sign_paper', _('Record the paper signature'), ('draft',), 'signed',
               P.RECORD_SIGNATURE, guards=(notice_delivered, content_complete),
               before=(freeze_signed_text,)),
    Transition('enter', _('Enter the contract'), ('signed',), 'entered', P.ENTER,
               guards=(processing_consent, matches_signed_text)),
    Transition('keep_on_paper', _('Keep on paper only'), ('signed',), 'paper',
               P.KEEP_ON_PAPER, guards=(processing_refused,), after=(keep_only_paper_facts,)),
    Transition('share', _('Share with the CLI'), ('entered',), 'shared', P.SHARE,
               guards=(share_consent, fields_chosen), after=(create_summary,)),
    Transition('unshare', _('Stop sharing with the CLI'), ('shared',), 'entered', P.UNSHARE,
               before=(withdraw_summary,)),
    Transition('cli_opinion', _('Record the opinion of the CLI'), ('shared',), 'shared',
               P.CLI_OPINION, guards=(valid_opinion,), before=(record_opinion,),
               menu=False),
    Transition('amend', _('Amend (new version)'), ('signed', 'entered', 'shared', 'paper'),
               'draft', P.AMEND, before=(withdraw_summary, forget_signature)),
    Transition('close', _('Close the contract'),
               ('draft', 'signed', 'entered', 'shared', 'paper'), 'closed', P.CLOSE,
               before=(withdraw_summary,)),
    # consequence of a withdrawn consent to processing (docs/domain.md, *Workflow*)
    Transition('withdraw_processing', _('Keep on paper only'), ('entered', 'shared'), 'paper',
               P.SYSTEM_ONLY, after=(keep_only_paper_facts,), menu=False),
)

CONTRACT_WORKFLOW = Workflow('contract', 'draft', STATES, TRANSITIONS, PERMISSIONS_BY_STATE,
                             common_guards=(dossier_not_limited,))



def draft_contract(request, dossier, values, notice_channel):
    """Create a contract in ``draft`` on ``dossier`` (docs/domain.md, *Workflow*, "draft").

    The delivery of the information notice is recorded with its channel.
    """
    from portail.models.contract import ConsentRecord, Contract

    now = utcnow(request.registry)
    uid = request.authenticated_userid
    contract = Contract()
    contract.created_at = now
    contract.set_content(values)
    dossier.contracts.add(contract)
    contract.consents.append(ConsentRecord('notice', 'given', now, notice_channel, uid))
    CONTRACT_WORKFLOW.initialise(contract, request, channel=notice_channel)
    contract.touch(uid, now)
    request.root.dossiers.reindex_contract(contract)
    record(request, dossier.__name__, f'contract:{contract.__name__}', 'transition:draft', 2)
    return contract


def close_expired(request, today):
    """Close every contract whose end date is before ``today``; return them."""
    closed = []
    for contract in request.root.dossiers.contracts_ending_before(today):
        CONTRACT_WORKFLOW.execute(contract, request, 'close', system=True,
                                  comment='end date reached')
        closed.append(contract)
    return closed


def reapply_acls(dossiers):
    """Rewrite every contract's ACL from the table; return how many."""
    count = 0
    for dossier in dossiers.values():
        for contract in dossier.contracts.values():
            CONTRACT_WORKFLOW.apply_acl(contract)
            count += 1
    return count
