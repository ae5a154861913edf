"""One-time form keys: a replayed POST is applied at most once (issue 14).

Every form the portal renders carries a hidden ``form_key`` field, a fresh
random token drawn when the page is rendered (:func:`new_form_key`; deform
forms through :class:`portail.views.forms.CSRFSchema`, hand-written forms
through ``ui.form_key()`` of :mod:`portail.views.layout`).  The same form
submitted twice -- a double click, the back button then submitting again, a
browser or proxy resending the request after a lost connection -- carries
the same key.  The language switch carries none: it changes no data, and
the back button may well send it again.

The view deriver :func:`once_per_form_key` wraps every view that changes
data.  A view whose POST only reads -- a search, a filter kept out of the
URL, a form pre-filled from a previous page -- declares ``form_key=False``
(a view option): it may be sent again as often as the user likes, and its
key, if any, is ignored.  On a POST
carrying a key (ASCII, at most :data:`MAX_LENGTH` characters; any other
value counts as no key), it looks the key up in :data:`USED_KEY`, an
``OOBTree`` of the main database (key -> portal clock time as a POSIX
timestamp, created by evolve step 0008):

- a key already used: the view does not run, and the answer is a 409 page
  saying that this action was already recorded;
- otherwise the view runs, and when it answers with a success or a redirect
  (status below 400), the key is recorded *in the request's own
  transaction*.  So the key is used exactly when the change commits: a
  refusal (a 400 form shown again with its errors, a 403, a 409 edit
  conflict) or an error aborts or records nothing, and the same form can be
  corrected and submitted again; a request that ``pyramid_retry`` runs again
  after a ConflictError finds its key unused (the first attempt aborted), and
  is applied once.

The deriver runs inside the CSRF check (a POST with a wrong token is refused
before its key is looked at) and inside ``pyramid_tm``'s transaction.

A POST without a key is handled as before: the browser always sends the key
with the form, the tests and scripts that post by hand may leave it out.

Keys are kept :data:`KEEP` (two days): each insertion removes the expired
keys among the :data:`PRUNE` following it in the tree, so the tree stays
small without a purge job.  As in the journal's outbox
(:mod:`portail.journal.outbox`), the tree always holds :data:`SENTINEL`,
smaller than any key and never removed, so that concurrent insertions and
removals in its one bucket are merged by the BTree's conflict resolution
instead of conflicting (a removal that empties a bucket or removes its first
key cannot be merged).
"""
import secrets
from datetime import timedelta

from BTrees.OOBTree import OOBTree
from pyramid.httpexceptions import HTTPException
from pyramid.renderers import render_to_response
from pyramid_zodbconn import get_connection

from portail.clock import utcnow
from portail.i18n import _

#: the used keys in the main database's root mapping
USED_KEY = 'portail_form_keys'
#: the form field holding the key
FIELD = 'form_key'
#: the longest key looked at (a fresh key has 22 characters)
MAX_LENGTH = 64
#: the tree's first key, never removed (see above)
SENTINEL = ''
#: how long a used key is remembered
KEEP = timedelta(days=2)
#: how many keys after a new one each insertion examines for expiry
PRUNE = 4

ALREADY_DONE = _('Already done')
ALREADY_DONE_MESSAGE = _('This action has already been recorded: the same form was sent '
                         'twice (a double click, the back button or a resent request). '
                         'It was applied once.')


def new_form_key():
    """A fresh form key (128 random bits, URL-safe text)."""
    return secrets.token_urlsafe(16)


def create(zodb_root):
    """Create the tree of used keys (evolve step 0008)."""
    if USED_KEY not in zodb_root:
        zodb_root[USED_KEY] = OOBTree({SENTINEL: 0.0})


def posted_key(request):
    """The form key of a POST, or ``None`` (no key, or not a usable one)."""
    if request.method != 'POST':
        return None
    key = request.POST.get(FIELD)
    if not isinstance(key, str) or not key or len(key) > MAX_LENGTH or not key.isascii():
        return None
    return key


def used_keys(request):
    return get_connection(request).root()[USED_KEY]


def record(tree, key, now):
    """Record ``key`` as used at ``now`` and forget a few expired keys."""
    stamp = now.timestamp()
    tree[key] = stamp
    expiry = stamp - KEEP.total_seconds()
    following = []
    for other, used_at in tree.items(min=key, excludemin=True):
        following.append((other, used_at))
        if len(following) >= PRUNE:
            break
    for other, used_at in following:
        if used_at < expiry:
            del tree[other]


def already_done(request):
    """The 409 page of a form sent again."""
    return render_to_response(
        'portail:templates/error.pt',
        {'title': ALREADY_DONE, 'message': ALREADY_DONE_MESSAGE},
        request=request, response=_conflict_response(request))


def _conflict_response(request):
    response = request.response
    response.status_int = 409
    return response


def once_per_form_key(view, info):
    """View deriver: a POST's form key is used once (see the module docstring)."""
    if info.exception_only or not info.options.get('form_key', True):
        return view

    def form_key_view(context, request):
        key = posted_key(request)
        if key is None or getattr(request, 'exception', None) is not None:
            return view(context, request)
        tree = used_keys(request)
        if key in tree:
            return already_done(request)
        try:
            response = view(context, request)
        except HTTPException as answer:
            if answer.status_int < 400:
                record(tree, key, utcnow(request.registry))
            raise
        if getattr(response, 'status_int', 200) < 400:
            record(tree, key, utcnow(request.registry))
        return response

    return form_key_view


once_per_form_key.options = ('form_key',)


def includeme(config):
    config.add_view_deriver(once_per_form_key)
