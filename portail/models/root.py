"""The portal root and the root factory used by traversal."""
from persistent import Persistent
from pyramid_zodbconn import get_connection

from portail.acl.matrix import ComputedACL

#: key of the portal root in the ZODB root mapping
ROOT_KEY = 'portail'


class DatabaseNotInitialised(Exception):
    """The database has no portal root: run ``portail-init`` first."""


class PortalRoot(Persistent):
    """The root of the object tree (docs/domain.md, *Object tree*).

    Its children (``districts``, ``dossiers``, ``cli``, ``users``, ``statistics``,
    ``charter``) are created
    by evolve steps (:mod:`portail.evolve`), never lazily during a request.
    """

    __name__ = ''
    __parent__ = None
    __acl__ = ComputedACL('root')

    #: the names under which children are reachable by traversal
    CHILDREN = ('districts', 'dossiers', 'cli', 'users', 'statistics', 'charter')

    def __getitem__(self, name):
        if name in self.CHILDREN and name in self.__dict__:
            return getattr(self, name)
        raise KeyError(name)

    def attach(self, name, container):
        """Attach a top-level container (evolve steps only)."""
        container.__name__ = name
        container.__parent__ = self
        setattr(self, name, container)


def get_root(zodb_root):
    """Return the portal root from a ZODB root mapping, or raise."""
    try:
        return zodb_root[ROOT_KEY]
    except KeyError:
        raise DatabaseNotInitialised() from None


def root_factory(request):
    """Pyramid root factory: the portal root of the primary database."""
    return get_root(get_connection(request).root())
