"""The two anchors the portal is compared with, served like the portal.

* ``hello``: a bare Pyramid view answering ``Hello``;
* ``acl``: Pyramid with ``pyramid_zodbconn`` and ``pyramid_tm`` (as the
  portal), traversal from the ZODB root to one persistent object, and one ACL
  check of the view's permission by an ACL security policy.
"""
import transaction
from persistent import Persistent
from pyramid.authorization import DENY_ALL, ACLHelper, Allow, Everyone
from pyramid.config import Configurator
from pyramid.response import Response
from pyramid_zodbconn import get_connection

ANCHOR_KEY = 'bench_anchor'


class AnchorRoot(Persistent):
    __name__ = ''
    __parent__ = None

    def __init__(self):
        self.item = AnchorItem()
        self.item.__name__ = 'item'
        self.item.__parent__ = self

    def __getitem__(self, name):
        if name == 'item':
            return self.item
        raise KeyError(name)


class AnchorItem(Persistent):
    __acl__ = [(Allow, Everyone, 'view'), DENY_ALL]


class EveryoneSecurityPolicy:
    """Anonymous users only; permissions come from the context's ACL."""

    def identity(self, request):
        return None

    def authenticated_userid(self, request):
        return None

    def permits(self, request, context, permission):
        return ACLHelper().permits(context, [Everyone], permission)

    def remember(self, request, userid, **kw):
        return []

    def forget(self, request, **kw):
        return []


def hello_view(request):
    return Response('Hello')


def item_view(request):
    return Response('item')


def hello_app():
    with Configurator() as config:
        config.add_view(hello_view, name='hello')
    return config.make_wsgi_app()


def create_anchor_root(db):
    """Store the anchor's root object in ``db`` once."""
    conn = db.open()
    try:
        root = conn.root()
        if ANCHOR_KEY not in root:
            root[ANCHOR_KEY] = AnchorRoot()
            transaction.commit()
    finally:
        conn.close()


def acl_app(zodb_uri):
    def root_factory(request):
        return get_connection(request).root()[ANCHOR_KEY]

    settings = {'zodbconn.uri': zodb_uri, 'tm.manager_hook': 'pyramid_tm.explicit_manager'}
    with Configurator(settings=settings, root_factory=root_factory) as config:
        config.include('pyramid_tm')
        config.include('pyramid_zodbconn')
        config.set_security_policy(EveryoneSecurityPolicy())
        config.add_view(item_view, context=AnchorItem, permission='view')
        app = config.make_wsgi_app()
    create_anchor_root(app.registry._zodb_databases[''])
    return app
