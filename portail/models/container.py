"""A BTree-backed folder whose children are found by traversal.

Containers in the portal may hold 100 000 children (docs/domain.md, *Object tree*), so the
children live in an ``OOBTree`` and the count in a ``BTrees.Length`` that
concurrent inserts do not conflict on.  Keys are opaque random ids
(:func:`new_id`): never a name, never a sequence number.
"""
import secrets

from BTrees.Length import Length
from BTrees.OOBTree import OOBTree
from persistent import Persistent


def new_id():
    """Return a new opaque, URL-safe id (96 random bits)."""
    return secrets.token_hex(12)


class Container(Persistent):
    """A persistent folder: ``__getitem__`` makes it traversable."""

    __name__ = None
    __parent__ = None

    def __init__(self):
        self.data = OOBTree()
        self._count = Length()

    def __getitem__(self, name):
        return self.data[name]

    def get(self, name, default=None):
        return self.data.get(name, default)

    def __contains__(self, name):
        return name in self.data

    def __len__(self):
        return self._count()

    def __iter__(self):
        return iter(self.data.keys())

    def keys(self):
        return self.data.keys()

    def values(self):
        return self.data.values()

    def items(self):
        return self.data.items()

    def add(self, obj, name=None):
        """Store ``obj`` under ``name`` (a new opaque id by default); return the name."""
        if name is None:
            name = new_id()
            while name in self.data:  # pragma: no cover (96 random bits)
                name = new_id()
        elif name in self.data:
            raise KeyError(f'{name!r} already exists')
        obj.__name__ = name
        obj.__parent__ = self
        self.data[name] = obj
        self._count.change(1)
        return name

    def remove(self, name):
        """Remove and return the child ``name``."""
        obj = self.data.pop(name)
        self._count.change(-1)
        obj.__parent__ = None
        return obj


class DossierItem:
    """Mixin of what a dossier's folders hold (contracts, notes, requests)."""

    @property
    def dossier(self):
        """The dossier this object belongs to (its folder's parent)."""
        return self.__parent__.__parent__
