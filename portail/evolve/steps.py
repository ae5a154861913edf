"""The evolve steps, in the order they run.  Never rename or reorder one."""
from portail.auth.sessions import SESSIONS_DB, create_store
from portail.evolve import step
from portail.models.cli import CliSpace
from portail.models.district import Districts
from portail.models.dossier import Dossiers
from portail.models.root import ROOT_KEY, PortalRoot
from portail.models.user import Users


@step('0001-create-portal-root')
def create_portal_root(zodb_root, conn):
    """Create the portal root and its four folders (docs/domain.md, *Object tree*)."""
    if ROOT_KEY in zodb_root:
        return
    root = PortalRoot()
    root.attach('districts', Districts())
    root.attach('dossiers', Dossiers())
    root.attach('cli', CliSpace())
    root.attach('users', Users())
    zodb_root[ROOT_KEY] = root


@step('0002-create-session-store')
def create_session_store(zodb_root, conn):
    """Create the session store in the ``sessions`` database."""
    create_store(conn.get_connection(SESSIONS_DB).root())


@step('0003-create-journal')
def create_journal(zodb_root, conn):
    """Create the access journal in the ``journal`` database."""
    from portail.journal.model import JOURNAL_DB, ROOT_KEY, Journal

    journal_root = conn.get_connection(JOURNAL_DB).root()
    if ROOT_KEY not in journal_root:
        journal_root[ROOT_KEY] = Journal()


@step('0004-create-statistics')
def create_statistics(zodb_root, conn):
    """Create ``/statistics`` with one set of counters per district, filled
    from the existing contracts (issue 6)."""
    from portail.models.statistics import DistrictStatistics, StatisticsSpace
    from portail.statistics.counters import rebuild

    root = zodb_root[ROOT_KEY]
    if 'statistics' not in root.__dict__:
        root.attach('statistics', StatisticsSpace())
    for district_id in root.districts:
        if district_id not in root.statistics:
            root.statistics.add(DistrictStatistics(), name=district_id)
    rebuild(root)


@step('0005-create-listing-indexes')
def create_listing_indexes(zodb_root, conn):
    """Create the ordered indexes that the paged listings read: each
    district's entry queue (signed contracts, oldest signature first), filled
    from the (district, state) index, and each CLI folder's worklist index
    (summaries, newest share first), filled from its summaries."""
    root = zodb_root[ROOT_KEY]
    root.dossiers.rebuild_signed_queue(list(root.districts))
    for folder in root.cli.values():
        folder.rebuild_worklist()


@step('0006-create-activation-failures')
def create_activation_failures(zodb_root, conn):
    """Create the count of wrong activation codes per login typed (issue 13):
    the activation page no longer counts them on the accounts themselves."""
    from BTrees.OOBTree import OOBTree

    users = zodb_root[ROOT_KEY].users
    if 'activation_failures' not in users.__dict__:
        users.activation_failures = OOBTree()


@step('0007-create-journal-outbox')
def create_journal_outbox(zodb_root, conn):
    """Create the journal's outbox in the main database and the record of
    the ids already moved in the journal database (issue 14): change entries
    are written into the outbox with their change, then moved into the chains."""
    from portail.journal import outbox
    from portail.journal.model import JOURNAL_DB

    outbox.create(zodb_root, conn.get_connection(JOURNAL_DB).root())


@step('0008-create-form-keys')
def create_form_keys(zodb_root, conn):
    """Create the tree of used one-time form keys (issue 14): a form sent
    twice is applied once (:mod:`portail.formkeys`)."""
    from portail import formkeys

    formkeys.create(zodb_root)
