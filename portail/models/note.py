"""Working notes: the social worker's observations (level 3 in
docs/domain.md, *Confidentiality levels*)."""
from BTrees.OOBTree import OOBTree
from persistent import Persistent

from portail.acl.dossier import note_acl
from portail.acl.localroles import (
    NOTE_AUTHOR,
    NOTE_READER,
    reads_granted_note,
    works_for_the_person,
)
from portail.models.container import DossierItem


class Note(DossierItem, Persistent):
    """One note.  ``grants`` maps a colleague's uid to an end date (or ``None``)."""

    def __init__(self, author, text, third_party, now):
        self.author = author
        self.text = text
        #: holds information about someone else: the beneficiary sees only that it exists
        self.third_party = third_party
        self.created_at = now
        self.modified_at = now
        self.modified_by = author
        self.grants = OOBTree()

    @property
    def __acl__(self):
        return note_acl(self)

    def local_principals(self, identity, now, settings):
        found = set()
        if identity.uid == self.author and self._works_for_the_person(identity, now):
            found.add(NOTE_AUTHOR)
        if reads_granted_note(self, identity.user, identity.uid, now):
            found.add(NOTE_READER)
        return found

    def _works_for_the_person(self, identity, now):
        """The author keeps the note while a social worker who is référent or
        active delegate (docs/domain.md, *Confidentiality levels*: a former référent keeps nothing,
        a secretary never reads notes); the rule is
        :func:`portail.acl.localroles.works_for_the_person`."""
        return bool(works_for_the_person(self.dossier, identity.user, identity.uid, now))

    def touch(self, uid, now):
        self.modified_by = uid
        self.modified_at = now
