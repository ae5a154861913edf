"""The insertion contract workflow of docs/domain.md, *Workflow*, as data.

:data:`STATES` and :data:`TRANSITIONS` describe the machine;
:data:`PERMISSIONS_BY_STATE` is the contract's part of the access matrix
(:mod:`portail.acl.matrix`: states × local roles × permissions), from which
every contract's ``__acl__`` is computed from its state at each check.  Each
transition carries its label, help text, options schema (colander) and the
channel it records: the transition page offers any of them from these alone.
"""
import dataclasses

import colander
import deform

from portail.acl import permissions as P
from portail.acl.matrix import MATRIX
from portail.clock import utcnow
from portail.i18n import _
from portail.journal.record import record
from portail.models.cli import remove_summary, share_summary
from portail.models.contract import FIELD_LABELS
from portail.workflow.engine import Transition, Workflow

STATES = {
    'draft': _('draft'),
    'signed': _('signed'),
    'entered': _('entered'),
    'paper': _('kept on paper'),
    'shared': _('shared with the CLI'),
    'closed': _('closed'),
}

#: state → local role → permissions: the contract's rows of the access matrix,
#: from which every contract's ``__acl__`` is computed (docs/security.md)
PERMISSIONS_BY_STATE = MATRIX['contract']

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


def plausible_signature_date(contract, request, signed_on=None, **options):
    """The date of a paper signature, when one is given: not after today
    (the portal's clock), not before the draft was created."""
    if signed_on is None:
        return None
    if signed_on > utcnow(request.registry).date():
        return _('The signature date cannot be after today.')
    created = contract.created_at.date() if contract.created_at is not None else None
    if created is not None and signed_on < created:
        return _('The signature date cannot be before the draft was created '
                 '(${date}).', mapping={'date': created.strftime('%d/%m/%Y')})
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
SHAREABLE_FIELDS = ('identity', 'referent', 'start_date', 'duration_months', 'themes', 'actions',
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


def keep_signature_date(contract, request, signed_on=None, **options):
    """The date the beneficiary signed on paper, when the page asked it
    (the history line of the transition says when it was recorded)."""
    contract.signed_on = signed_on


def forget_signature(contract, request, **options):
    """Amend: keep the current version in ``versions``, open a new draft."""
    contract.signed_on = None
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


# -- options: what a transition's page asks before it runs --------------------

TICK_TO_SIGN = _('Tick the box to confirm you have read the contract.')


class SignOptions(colander.MappingSchema):
    """Signing online: the beneficiary ticks that they read the text shown."""

    read = colander.SchemaNode(
        colander.String(), title=_('I have read the contract and I sign it.'),
        widget=deform.widget.CheckboxWidget(true_val='yes'), missing_msg=TICK_TO_SIGN,
        validator=colander.OneOf(['yes'], msg_err=TICK_TO_SIGN))


class ShareOptions(colander.MappingSchema):
    """Sharing: the fields the CLI receives (the guard :func:`fields_chosen`
    says what is wrong with them, for the page and for any other caller)."""

    fields = colander.SchemaNode(
        colander.Set(), title=_('Fields to share with the CLI'), missing=(),
        widget=deform.widget.CheckboxChoiceWidget(
            values=[(name, FIELD_LABELS[name]) for name in SHAREABLE_FIELDS]))


TRANSITIONS = (
    Transition('sign', _('Sign the contract'), ('draft',), 'signed', P.SIGN,
               guards=(notice_delivered, content_complete), before=(freeze_signed_text,),
               help=_('By signing, you agree to the contract as it is written below. Then its '
                      'text cannot change: to change it, a new version is needed.'),
               options=SignOptions, channel='online', shows_content=True),
    Transition('sign_paper', _('Record the paper signature'), ('draft',), 'signed',
               P.RECORD_SIGNATURE,
               guards=(notice_delivered, content_complete, plausible_signature_date),
               before=(freeze_signed_text, keep_signature_date),
               help=_('Record that the beneficiary signed the printed contract. Keep the '
                      'signed paper in the dossier.'),
               channel='paper', shows_content=True, page='record-paper-signature'),
    Transition('enter', _('Enter the contract'), ('signed',), 'entered', P.ENTER,
               guards=(processing_consent, matches_signed_text),
               help=_('The contract is entered into the information system. Compare the '
                      'text below and its fingerprint with the signed paper first.'),
               shows_content=True),
    Transition('keep_on_paper', _('Keep on paper only'), ('signed',), 'paper',
               P.KEEP_ON_PAPER, guards=(processing_refused,), after=(keep_only_paper_facts,),
               help=_('The beneficiary refused computerised processing: the content of the '
                      'contract is erased from the portal; only its existence, dates and '
                      'district are kept.')),
    Transition('share', _('Share with the CLI'), ('entered',), 'shared', P.SHARE,
               guards=(share_consent, fields_chosen), after=(create_summary,),
               help=_('Choose the fields the CLI strictly needs. The CLI receives a copy of '
                      'those fields only, under a pseudonymous reference.'),
               options=ShareOptions),
    Transition('unshare', _('Stop sharing with the CLI'), ('shared',), 'entered', P.UNSHARE,
               before=(withdraw_summary,),
               help=_('The copy held by the CLI is deleted at once.')),
    Transition('cli_opinion', _('Record the opinion of the CLI'), ('shared',), 'shared',
               P.CLI_OPINION, guards=(valid_opinion,), before=(record_opinion,),
               menu=False),
    Transition('amend', _('Amend (new version)'), ('signed', 'entered', 'shared', 'paper'),
               'draft', P.AMEND, before=(withdraw_summary, forget_signature),
               help=_('A new version is opened as a draft; the current version stays in the '
                      'history. A copy shared with the CLI is withdrawn.')),
    Transition('close', _('Close the contract'),
               ('draft', 'signed', 'entered', 'shared', 'paper'), 'closed', P.CLOSE,
               before=(withdraw_summary,),
               help=_('The contract is closed. A copy shared with the CLI is withdrawn.')),
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
