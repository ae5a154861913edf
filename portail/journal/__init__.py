"""The access journal (docs/domain.md, *Access journal*; issue 4): who read or changed what, when.

It lives in its own ZODB database (``zodbconn.uri.journal``) so no undo or
pack of the main database touches it.  Entries are appended to one
:class:`~portail.journal.model.Chain` per dossier (and one per acting user
for events outside any dossier, such as a lookup that found nobody or a
role change), so concurrent writes on different dossiers never conflict.
Each entry is sealed with the journal key (:mod:`portail.journal.key`) and
linked to the previous one.  The anchor chain (:mod:`portail.journal.ledger`)
records what the portal itself did to the chains (anchors of their heads,
purges, removals of erased dossiers' chains), and ``portail-journal
anchor`` copies each anchor out of the database, to the anchor file and
the log, timestamped by a time-stamping authority
(:mod:`portail.journal.anchorfile`, :mod:`portail.journal.timestamp`);
:mod:`portail.journal.verify` holds the chains to all of these.

The entries of a change are written into the outbox of the main database
in the transaction of the change, then moved into the chains
(:mod:`portail.journal.outbox`); those of a read are committed after the
request's transaction, before its page is sent (:mod:`portail.journal.writer`).
An aborted or retried request leaves no entry, a committed one exactly one,
even if the server is killed at any moment.
"""
