"""The rows of the lists of letters: the dossier's page and its letters page."""
from portail.letters.kinds import CHANNEL_LABELS, KINDS
from portail.letters.model import letters_of
from portail.views.labels import user_name


def letter_rows(request, dossier):
    """One row per letter of ``dossier``, newest first."""
    return [{'letter': letter, 'kind': KINDS[letter.kind].label,
             'channel': CHANNEL_LABELS[letter.channel],
             'by': user_name(request, letter.produced_by),
             'url': request.resource_url(letter, 'letter.pdf')}
            for letter in letters_of(dossier)]
