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


@step('0009-create-statistics-snapshot')
def create_statistics_snapshot(zodb_root, conn):
    """Create the snapshot of the statistics that the pages publish (issue 21):
    empty, it is filled when a page is first read or by the daily
    ``portail-close-expired``, from the counters."""
    from portail.models.statistics import StatisticsSnapshot

    statistics = zodb_root[ROOT_KEY].statistics
    if getattr(statistics, 'snapshot', None) is None:
        statistics.snapshot = StatisticsSnapshot()


@step('0010-drop-stored-contract-acls')
def drop_stored_contract_acls(zodb_root, conn):
    """Remove the ``__acl__`` that older code stored on each contract at each
    transition (issue 15): a contract's ACL is now computed from its state by
    the access matrix (docs/security.md), and a stored copy could only lag
    behind it.  Contracts without one are left untouched, so the step may run
    again.  A savepoint every thousand dossiers keeps the memory bounded."""
    root = zodb_root[ROOT_KEY]
    for count, dossier in enumerate(root.dossiers.values(), start=1):
        for contract in dossier.contracts.values():
            contract._p_activate()  # reading __dict__ does not load a ghost
            if '__acl__' in contract.__dict__:
                del contract.__dict__['__acl__']
                contract._p_changed = True
        if count % 1000 == 0:
            conn.transaction_manager.savepoint(optimistic=True)
            conn.cacheGC()


@step('0011-create-worklist')
def create_worklist(zodb_root, conn):
    """Create the référents' pending-work index ("À traiter", issue 16) and fill
    it from every dossier (:mod:`portail.models.worklist`)."""
    from portail.models import worklist

    worklist.create(zodb_root[ROOT_KEY].dossiers)


@step('0013-create-cli-agenda-indexes')
def create_cli_agenda_indexes(zodb_root, conn):
    """Create, in each district's CLI folder, the indexes of the summaries
    without an opinion ("sans avis") and of those on no commission session's
    agenda (issue 16), filled from its summaries; a folder that has them
    already is left untouched, so the step may run again."""
    for folder in zodb_root[ROOT_KEY].cli.values():
        if folder.awaiting is None or folder.unscheduled is None:
            folder.rebuild_agenda_indexes()
@step('0014-split-entry-queue')
def split_entry_queue(zodb_root, conn):
    """Split each district's entry queue (issue 16): the signed contracts
    whose person has not given the consent to the processing yet wait in a
    queue of their own, so that the secretary's list holds only what can be
    entered."""
    dossiers = zodb_root[ROOT_KEY].dossiers
    dossiers.rebuild_signed_queue(list(zodb_root[ROOT_KEY].districts.keys()))


@step('0015-create-caseload-summaries')
def create_caseload_summaries(zodb_root, conn):
    """Create each dossier's summary and the référent → name index of the
    caseload page (issue 16, :mod:`portail.models.caseload`), filled from
    every dossier; a savepoint every thousand dossiers keeps the memory
    bounded."""
    from portail.models import caseload

    def checkpoint():
        conn.transaction_manager.savepoint(optimistic=True)
        conn.cacheGC()

    caseload.create(zodb_root[ROOT_KEY].dossiers, checkpoint)


@step('0016-transfer-requests-for-managers')
def transfer_requests_for_managers(zodb_root, conn):
    """Index the open transfer requests under their dossier's district too,
    so that its qualified managers find them in their "À traiter" (issue 16,
    :data:`portail.models.worklist.DISTRICT_KINDS`).  Only the dossiers that
    hold transfer requests change; the step may run again."""
    from portail.models import worklist

    dossiers = zodb_root[ROOT_KEY].dossiers
    if dossiers.worklist is None:
        return
    for dossier in dossiers.values():
        if dossier.transfers is not None:
            worklist.refresh(dossiers, dossier)


@step('0017-create-charter')
def create_charter(zodb_root, conn):
    """Create ``/charter``, the confidentiality charter (issue 18), with its
    first version (the default text of :mod:`portail.auth.charter`): every
    staff account must accept it at its next request."""
    from portail.auth.charter import default_text
    from portail.models.charter import Charter

    root = zodb_root[ROOT_KEY]
    if 'charter' not in root.__dict__:
        root.attach('charter', Charter(default_text()))


@step('0018-create-external-id-indexes')
def create_external_id_indexes(zodb_root, conn):
    """Create the external id → dossier and external id → account indexes
    of ``portail-import`` (issue 19), empty: nothing was imported before."""
    from BTrees.OOBTree import OOBTree

    root = zodb_root[ROOT_KEY]
    for folder in (root.dossiers, root.users):
        if folder.by_external_id is None:
            folder.by_external_id = OOBTree()


@step('0019-create-feed-log')
def create_feed_log(zodb_root, conn):
    """Create the feed log of the departmental information system's feed
    (issue 19, :mod:`portail.feed.log`), empty: the feed delivers what is
    entered, amended or closed from now on."""
    from portail.feed.log import create

    create(zodb_root)


#: contracts converted per committed batch by step 0020
HISTORY_BATCH = 1000


@step('0020-chunk-contract-histories', batches=True)
def chunk_contract_histories(zodb_root, conn, batches):
    """Convert each contract's history from one ``PersistentList``, written
    whole at every transition, to a :class:`~portail.models.history.History`
    of chunks, whose append writes a bounded amount (issue 20).  The records
    keep their order; a contract already converted is left untouched, so the
    step may run again (and an interrupted run resumes).  A batch is committed
    once it holds :data:`HISTORY_BATCH` converted contracts, between two
    dossiers, and the next batch reads on from the last dossier's key, so no
    tree iterator outlives a commit; the meter counts the dossiers."""
    from portail.models.history import History, from_records

    dossiers = zodb_root[ROOT_KEY].dossiers
    tree = dossiers.data
    after = None
    with batches.meter(len(dossiers), 'evolve 0020: dossiers') as meter:
        while True:
            converted = 0
            bounds = {} if after is None else {'min': after, 'excludemin': True}
            for name, dossier in tree.items(**bounds):
                for contract in dossier.contracts.values():
                    if not isinstance(contract.history, History):
                        contract.history = from_records(contract.history)
                        converted += 1
                meter.advance()
                after = name
                if converted >= HISTORY_BATCH:
                    break
            else:
                return
            batches.commit()
