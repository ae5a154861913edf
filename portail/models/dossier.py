"""Dossiers: each person's file (SPEC §2, §3)."""
from portail.acl.root import dossiers_acl
from portail.models.container import Container


class Dossiers(Container):
    """The ``/dossiers`` folder (up to 100 000 children)."""

    __acl__ = dossiers_acl()
