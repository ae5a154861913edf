"""A letter produced: a small persistent record in the dossier's ``letters`` folder.

The PDF is kept as bytes on the record (a letter is a few tens of
kilobytes): the person downloads the very letter that was produced, even
after the département has edited its templates.  It lives inside the
dossier, so erasing the dossier (:mod:`portail.retention`) removes it, and
the pack that follows removes its bytes.
"""
from persistent import Persistent

from portail.models.container import Container, DossierItem

#: how the letter reaches the person
CHANNELS = ('download', 'handed_over', 'posted')


class Letter(DossierItem, Persistent):
    """One letter: ``concerns`` is ``('contract' | 'request', id)``."""

    def __init__(self, kind, concerns, channel, by, now, pdf):
        self.kind = kind
        self.concerns = concerns
        self.channel = channel
        self.produced_by = by
        self.produced_at = now
        self.pdf = pdf


def letters_of(dossier):
    """The letters of ``dossier``, newest first."""
    folder = dossier.letters
    if folder is None:
        return []
    return sorted(folder.values(), key=lambda letter: letter.produced_at, reverse=True)


def add_letter(dossier, letter):
    """Store ``letter`` in ``dossier``'s letters (the folder is created with
    the first one: older dossiers have none); return its id."""
    if dossier.letters is None:
        folder = Container()
        folder.__name__, folder.__parent__ = 'letters', dossier
        dossier.letters = folder
    return dossier.letters.add(letter)
