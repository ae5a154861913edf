"""Persistent content classes of the portal (the object tree of SPEC §2).

These classes are stored in the ZODB by their dotted name: renaming or moving
one breaks existing databases.  Change them only together with an evolve
step (see :mod:`portail.evolve`).
"""
