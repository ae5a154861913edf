"""The access journal (SPEC §6, issue 4): who read or changed what, when.

It lives in its own ZODB database (``zodbconn.uri.journal``) so no undo or
pack of the main database touches it.  Entries are appended to one
hash-chained :class:`Chain` per dossier (and one per acting user for events
outside any dossier, such as a lookup that found nobody or a role change),
so concurrent writes on different dossiers never conflict.  The anchor
chain (:mod:`portail.journal.anchor`) records the heads of every chain when
``portail-journal anchor`` runs, so truncating a chain is detected too.

Entries are written in the transaction of the action they record: an
aborted or retried request leaves no entry, a committed one exactly one.
"""
