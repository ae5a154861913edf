"""Refusal of a request the portal cannot use (issue 13).

Every check that refuses a request as a whole (an address or a form that is
not UTF-8, a body over the size cap, a query parameter or a redirect target
out of bounds) raises a :class:`BadInput`.  Its exception view
(:mod:`portail.views.errors`) renders the French page of the given status
with the usual security headers; as for any exception, ``pyramid_tm``
aborts the request's transaction, so nothing is written.
"""
from portail.i18n import _


class BadInput(Exception):
    """A request refused as a whole: ``status`` (a 4xx), a page ``title`` and
    ``message`` (translation strings, shown to the user)."""

    status = 400
    title = _('Invalid request')
    message = _('The portal cannot use what was sent. Go back and try again: nothing '
                'was changed.')

    def __init__(self, message=None):
        super().__init__(type(self).__name__)
        if message is not None:
            self.message = message
