"""The kinds of letters, what each concerns and what its template reads.

A kind concerns a contract or a rights request of the dossier
(:data:`CONCERNS`) and may be produced only when that object is in a state
the letter speaks of (:meth:`Kind.refusal`): an invitation to a review needs
a next review date, the CLI's opinion must have been given, the request
answered, the contract signed.  A refusal is a French sentence the page
shows with a 400 status, never a traceback.
"""
from dataclasses import dataclass
from datetime import datetime

from portail.i18n import _
from portail.models.contract import THEMES
from portail.models.request import KINDS as REQUEST_KINDS
from portail.timefmt import format_date
from portail.views.labels import OPINION_LABELS

CONTRACT = 'contract'
REQUEST = 'request'
#: what a letter may concern: the dossier's folder of such objects
CONCERNS = {CONTRACT: 'contracts', REQUEST: 'requests'}


def _signed_on(contract):
    for step in reversed(contract.history):
        if step.target == 'signed':
            return step.at
    return None


@dataclass(frozen=True)
class Kind:
    """One kind of letter: ``code`` names its template (``<code>.pt``)."""

    code: str
    label: object
    concerns: str
    #: ``refuse(obj) -> message or None``
    refuse: object
    #: ``facts(obj, extra, translate) -> dict`` for the template
    facts: object

    @property
    def template(self):
        return f'{self.code}.pt'

    def refusal(self, obj):
        return self.refuse(obj)


# -- invitation to a review ----------------------------------------------------

def _refuse_review(contract):
    if contract.state == 'closed':
        return _('This contract is closed: there is no review to invite the person to.')
    if contract.review_date is None:
        return _('This contract has no next review date: set it on the contract first.')
    return None


def _review_facts(contract, extra, translate):
    return {'review_date': format_date(contract.review_date),
            'review_time': extra.get('time', ''),
            'start_date': format_date(contract.start_date)}


# -- the CLI's opinion -----------------------------------------------------------

def _refuse_opinion(contract):
    if not contract.cli_opinion:
        return _('The CLI has not given its opinion on this contract yet.')
    return None


def _opinion_facts(contract, extra, translate):
    opinion = contract.cli_opinion
    label = OPINION_LABELS.get(opinion.get('opinion'), opinion.get('opinion') or '')
    at = opinion.get('at')
    return {'opinion': translate(label), 'comment': opinion.get('comment') or '',
            'opinion_date': format_date(datetime.fromisoformat(at).date()) if at else '',
            'start_date': format_date(contract.start_date)}


# -- the answer to a rights request ------------------------------------------------

def _refuse_answer(rq):
    if rq.status == 'open':
        return _('This request has no answer yet: answer it first.')
    return None


def _answer_facts(rq, extra, translate):
    return {'request_kind': translate(REQUEST_KINDS[rq.kind]),
            'made_on': format_date(rq.created_at.date()),
            'accepted': rq.status == 'accepted',
            'answer': rq.answer,
            'answered_on': format_date(rq.answered_at.date()) if rq.answered_at else ''}


# -- end of contract ----------------------------------------------------------------

def _refuse_end(contract):
    if contract.end_date is None:
        return _('This contract has no end date.')
    return None


def _end_facts(contract, extra, translate):
    return {'start_date': format_date(contract.start_date),
            'end_date': format_date(contract.end_date),
            'closed': contract.state == 'closed'}


# -- the signed contract ---------------------------------------------------------------

def _refuse_signed(contract):
    if _signed_on(contract) is None:
        return _('This contract has not been signed.')
    return None


def _signed_facts(contract, extra, translate):
    return {'start_date': format_date(contract.start_date),
            'duration_months': contract.duration_months,
            'end_date': format_date(contract.end_date),
            'themes': [translate(THEMES[t]) for t in contract.themes if t in THEMES],
            'actions': contract.actions,
            'commitments': contract.commitments,
            'review_date': format_date(contract.review_date),
            'signed_on': format_date(_signed_on(contract).date()),
            'version': contract.version}


KINDS = {kind.code: kind for kind in (
    Kind('review_invitation', _('invitation to a review'), CONTRACT, _refuse_review,
         _review_facts),
    Kind('cli_opinion', _("notification of the CLI's opinion"), CONTRACT, _refuse_opinion,
         _opinion_facts),
    Kind('request_answer', _('answer to a rights request'), REQUEST, _refuse_answer,
         _answer_facts),
    Kind('end_of_contract', _('end of contract'), CONTRACT, _refuse_end, _end_facts),
    Kind('signed_contract', _('the signed contract'), CONTRACT, _refuse_signed, _signed_facts),
)}

CHANNEL_LABELS = {
    'download': _('downloaded by the person'),
    'handed_over': _('handed over on paper'),
    'posted': _('sent by post'),
}
