"""The confidentiality charter (issue 18; docs/domain.md, *Confidentiality charter*).

One :class:`Charter` lives at ``/charter``.  It keeps every version ever
published (:class:`CharterVersion`: number, text, author, date), never
edited in place: a change of text is a new version, and every staff account
must accept the current version before reaching anything else
(:mod:`portail.auth.charter`).

The acceptances are kept twice, each for one reader: on the account
(:attr:`portail.models.user.User.charter_accepted`, the last version it
accepted and when: what the login step reads), and in :attr:`Charter.acceptances`,
an ordered index keyed ``(version, utc datetime, uid)`` that the DPO's list
reads a page at a time, with a conflict-free count per version.
"""
from BTrees.IOBTree import IOBTree
from BTrees.Length import Length
from BTrees.OOBTree import OOBTree
from persistent import Persistent

from portail.acl.matrix import ComputedACL

#: the longest charter text accepted (characters)
MAX_TEXT_LENGTH = 20_000


class CharterVersion(Persistent):
    """One published version: never changed once stored."""

    def __init__(self, number, text, author, published_at):
        self.number = number
        #: plain text as typed; paragraphs are separated by blank lines
        self.text = text
        #: the uid of the administrator who published it (``None``: the
        #: version created with the database)
        self.author = author
        #: utc datetime of the publication (``None``: with the database)
        self.published_at = published_at

    def paragraphs(self):
        """The text's paragraphs (separated by blank lines), each a list of lines."""
        blocks = []
        for block in self.text.replace('\r\n', '\n').split('\n\n'):
            lines = [line for line in block.split('\n')]
            if any(line.strip() for line in lines):
                blocks.append([line for line in lines if line.strip()])
        return blocks


class Charter(Persistent):
    """The versions of the charter and the index of their acceptances."""

    __acl__ = ComputedACL('charter')

    def __init__(self, text):
        #: number -> :class:`CharterVersion`, from 1
        self.versions = IOBTree()
        #: ``(version, utc datetime, uid)`` -> None, in that order
        self.acceptances = OOBTree()
        #: version -> :class:`~BTrees.Length.Length` of its acceptances
        self.counts = IOBTree()
        self.publish(text, None, None)

    @property
    def current(self):
        """The version in force: the last one published."""
        return self.versions[self.versions.maxKey()]

    def publish(self, text, author, now):
        """Store ``text`` as a new version and return it: every staff
        account will have to accept it."""
        number = self.versions.maxKey() + 1 if len(self.versions) else 1
        version = CharterVersion(number, text, author, now)
        self.versions[number] = version
        self.counts[number] = Length()
        return version

    def record_acceptance(self, user, number, now):
        """``user`` accepted version ``number`` at ``now``."""
        self.acceptances[(number, now, user.uid)] = None
        self.counts[number].change(1)
        user.charter_accepted = (number, now)

    def accepted_current(self, user):
        """Whether ``user`` accepted the version in force."""
        accepted = user.charter_accepted
        return accepted is not None and accepted[0] == self.versions.maxKey()

    def count(self, number):
        counter = self.counts.get(number)
        return 0 if counter is None else counter()

    def acceptance_page(self, number, start, size):
        """``[(version, utc datetime, uid)]`` of version ``number``, oldest
        first, from position ``start``: read from the index, one page."""
        keys = self.acceptances.keys(min=(number,), max=(number + 1,), excludemax=True)
        return list(keys[start:start + size])
