"""Working notes: the social worker's observations (level 3 in
docs/domain.md, *Confidentiality levels*)."""
from BTrees.OOBTree import OOBTree
from persistent import Persistent

from portail.acl.localroles import note_principals
from portail.acl.matrix import ComputedACL
from portail.models.container import DossierItem

#: the two states of a note in the access matrix (docs/security.md): the
#: beneficiary reads a plain note, and only knows that a third-party one exists
PLAIN = 'plain'
THIRD_PARTY = 'third_party'


def note_state(note):
    return THIRD_PARTY if note.third_party else PLAIN


class Note(DossierItem, Persistent):
    """One note.  ``grants`` maps a colleague's uid to an end date (or ``None``)."""

    __acl__ = ComputedACL('note', note_state)

    def __init__(self, author, text, third_party, now):
        self.author = author
        self.text = text
        #: holds information about someone else: the beneficiary sees only that it exists
        self.third_party = third_party
        self.created_at = now
        self.modified_at = now
        self.modified_by = author
        self.grants = OOBTree()

    def local_principals(self, identity, now, settings):
        return note_principals(self, identity, now, settings)

    def touch(self, uid, now):
        self.modified_by = uid
        self.modified_at = now
