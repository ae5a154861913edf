"""The login step of the confidentiality charter (issue 18; docs/domain.md,
*Confidentiality charter*).

Every staff account -- any role but ``beneficiary`` -- must have accepted
the version of the charter in force (:class:`portail.models.charter.Charter`)
before it reaches anything else, however its session was opened (password
or identity provider).  Computed on every request
(:mod:`portail.auth.steps`): a new version takes effect at each account's
next request, with no new login.
"""
from pathlib import Path

from pyramid_zodbconn import get_connection

from portail.acl.roles import is_staff
from portail.i18n import _
from portail.models.root import get_root

#: the login page's ``reason`` after a refusal of the charter (see portail.views.auth)
REFUSED = 'charter'
#: what the page after the logout says then
REFUSED_MESSAGE = _('You must accept the charter to use the portal.')

#: the text of the first version, created with the database
DEFAULT_TEXT_FILE = Path(__file__).resolve().parent.parent / 'data' / 'charter-fr.txt'


def default_text():
    return DEFAULT_TEXT_FILE.read_text(encoding='utf-8').strip()


def charter_of(request):
    """The portal's charter, or ``None`` (a database not evolved yet)."""
    return getattr(get_root(get_connection(request).root()), 'charter', None)


def charter_needed(request, user, session, now):
    """A staff account that has not accepted the version in force."""
    if not is_staff(user):
        return False
    charter = charter_of(request)
    return charter is not None and not charter.accepted_current(user)
