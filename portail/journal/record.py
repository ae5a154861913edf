"""Journaling a request's actions: its changes through the outbox, in the
request's transaction; its reads after it (:mod:`portail.journal.writer`)."""
from portail.clock import utcnow
from portail.journal import outbox
from portail.journal.model import JOURNAL_DB, ROOT_KEY, chain_key
from portail.journal.writer import defer_read

READ = 'read'
CHANGE = 'change'


def journal_of(request):
    """The journal, through the connection that loaded the portal root."""
    return request.root._p_jar.get_connection(JOURNAL_DB).root()[ROOT_KEY]


def record(request, dossier, obj, action, level, detail='', user=None):
    """Journal a change: an entry for ``dossier``'s chain (a dossier id, or
    ``None``), written into the outbox in the request's transaction, so that
    it commits with the change it records, in the same database
    (:mod:`portail.journal.outbox`); the writer moves it into the chain once
    the request has committed, before the response is sent.

    ``obj`` names the object (an opaque id or a kind such as ``contract:<id>``),
    never personal data; ``detail`` is short (a lookup's reason, a consent).
    """
    uid = user or request.authenticated_userid or 'system'
    outbox.add(request, (chain_key(dossier, uid), utcnow(request.registry), uid, dossier or '',
                         obj, action, level, detail))


def record_once(request, dossier, obj, action, level, detail=''):
    """Like :func:`record`, but once per request for the same object and action
    (a page that reads a contract twice journals one read).

    A :data:`READ` is committed after the request's transaction, with the
    reads of other requests (:mod:`portail.journal.writer`)."""
    seen = request.__dict__.setdefault('_portail_journaled', set())
    key = (dossier, obj, action)
    if key in seen:
        return None
    seen.add(key)
    if action == READ:
        return defer_read(request, dossier, obj, action, level, detail)
    return record(request, dossier, obj, action, level, detail)
