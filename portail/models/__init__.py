"""Persistent content classes of the portal (docs/domain.md, *Object tree*).

These classes are stored in the ZODB by their dotted name: renaming or moving
one breaks existing databases.  Change them only together with an evolve
step (see :mod:`portail.evolve`).
"""
