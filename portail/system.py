"""Requests for when the portal acts by itself (commands, demo data).

Workflow code takes a request for its registry, root and acting user.  A
:class:`SystemRequest` carries those without any HTTP request behind it;
it holds no permission, so only transitions run with ``system=True`` pass.
"""


class SystemRequest:
    def __init__(self, registry, root, uid=None):
        self.registry = registry
        self.root = root
        self.authenticated_userid = uid

    def has_permission(self, permission, context=None):
        return False
