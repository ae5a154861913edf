"""Letters (issue 17; portail/letters, docs/letters.md): the dossier's letters page
and the download of one letter.

The référent or a delegate (``P.PRODUCE_LETTER`` in the access matrix)
produces a letter: its kind, what it is about (a contract or a rights
request of the dossier) and how it reaches the person (downloaded in their
space, handed over on paper, posted; a person without an account gets it on
paper only).  Each production is journaled as a change of the dossier; the
list is a read of the dossier's letters; each download a read of the letter.
The person (``P.VIEW_LETTER``) sees the list and downloads theirs.  The page
is ``<dossier>/correspondence``: ``<dossier>/letters`` is the folder of the
letters, ``<dossier>/letters/<id>/letter.pdf`` one of them.  A wrong
kind, object or channel gets the page again with a French message (400).
"""
import re

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.response import Response
from pyramid.view import view_config

from portail.acl import permissions as P
from portail.flash import flash
from portail.i18n import _
from portail.journal.record import READ, record_once
from portail.letters.kinds import CHANNEL_LABELS, KINDS
from portail.letters.listing import letter_rows
from portail.letters.model import Letter
from portail.letters.produce import LetterRefused, produce
from portail.models.dossier import Dossier
from portail.models.request import KINDS as REQUEST_KINDS
from portail.timefmt import format_date
from portail.workflow.contract import STATES

TIME = re.compile(r'([01][0-9]|2[0-3]):[0-5][0-9]')
TEMPLATE = 'portail:templates/letters/list.pt'


def subjects(request, dossier):
    """``[(value, label)]`` of what a letter may be about: the dossier's
    contracts, then its rights requests."""
    translate = request.localizer.translate
    found = []
    for contract in sorted(dossier.contracts.values(), key=lambda c: c.created_at):
        found.append((f'contract:{contract.__name__}', translate(_(
            'Contract starting ${date} (${state})',
            mapping={'date': format_date(contract.start_date),
                     'state': translate(STATES[contract.state])}))))
    for rq in sorted(dossier.requests.values(), key=lambda r: r.created_at):
        found.append((f'request:{rq.__name__}', translate(_(
            'Request of ${date}: ${kind}',
            mapping={'date': format_date(rq.created_at.date()),
                     'kind': translate(REQUEST_KINDS[rq.kind])}))))
    return found


def letters_page(request, error=None):
    dossier = request.context
    record_once(request, dossier.__name__, 'letters', READ, 2)
    can_produce = bool(request.has_permission(P.PRODUCE_LETTER, dossier))
    return {'dossier': dossier, 'rows': letter_rows(request, dossier), 'error': error,
            'can_produce': can_produce, 'kinds': KINDS, 'channels': CHANNEL_LABELS,
            'subjects': subjects(request, dossier) if can_produce else [],
            'has_account': bool(dossier.beneficiary)}


@view_config(context=Dossier, name='correspondence', renderer=TEMPLATE, request_method='GET',
             permission=P.VIEW_LETTER, journal=False)
def letters_view(request):
    """The dossier's letters, newest first; the form to produce one."""
    return letters_page(request)


@view_config(context=Dossier, name='correspondence', renderer=TEMPLATE, request_method='POST',
             permission=P.PRODUCE_LETTER, journal=False)
def produce_view(request):
    dossier = request.context
    kind = request.POST.get('kind', '')
    about = request.POST.get('about', '')
    channel = request.POST.get('channel', '')
    time = request.POST.get('time', '').strip()
    try:
        if time and not TIME.fullmatch(time):
            raise LetterRefused(_('Write the time of the meeting as 14:30, or leave it empty.'))
        if channel == 'download' and not dossier.beneficiary:
            raise LetterRefused(_('This person has no account: hand the letter over on '
                                  'paper or post it.'))
        produce(request, dossier, kind, about, channel, {'time': time})
    except LetterRefused as refused:
        request.response.status_int = 400
        return letters_page(request, refused.message)
    flash(request, _('The letter is produced. Download it to print it, or the person '
                     'downloads it in their space.'))
    return HTTPSeeOther(request.resource_url(dossier, 'correspondence'))


@view_config(context=Letter, name='letter.pdf', permission=P.VIEW_LETTER, journal='read')
def download_view(request):
    """The letter's PDF, as it was produced."""
    letter = request.context
    response = Response(body=letter.pdf, content_type='application/pdf')
    day = letter.produced_at.date().isoformat()
    response.content_disposition = f'attachment; filename="courrier-{letter.kind}-{day}.pdf"'
    return response
