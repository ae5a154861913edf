"""The statistics counters follow every write and equal a full recount."""
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portail import evolve as ev
from portail.demo import ActingAs
from portail.evolve import DONE_KEY
from portail.models.contract import CONSENT_KINDS, DECISIONS
from portail.models.contract import THEMES as THEME_CODES
from portail.models.root import ROOT_KEY
from portail.retention import erase
from portail.statistics.counters import recount, snapshot
from portail.workflow.consents import record_consent
from portail.workflow.contract import CONTRACT_WORKFLOW, TRANSITIONS, draft_contract
from portail.workflow.engine import WorkflowError
from tests.conftest import START, Portal, find_dossier, logged_in
from tests.test_contracts import record_on_paper, run_transition

TRANSITION_NAMES = sorted(t.name for t in TRANSITIONS)


def test_demo_counters_equal_recount(portal):
    with portal.root() as root:
        counts = snapshot(root)
        assert counts == recount(root)
        # the demo has contracts in every state, counted in their district
        states = {key[3] for key in counts if key[2] == 'state'}
        assert states == {'draft', 'signed', 'entered', 'paper', 'shared', 'closed'}


def test_a_transition_moves_one_contract_between_counters(portal):
    """Entering a signed contract through the page: one count leaves 'signed',
    one arrives in 'entered', in the same district and month."""
    with portal.root() as root:
        contract = find_dossier(root, 'Petit').contracts.values()[0]
        url = f'/dossiers/{contract.dossier.__name__}/contracts/{contract.__name__}/'
        before = snapshot(root)
        key = (contract.dossier.district, contract.start_date.strftime('%Y-%m'), 'state')
    browser = logged_in(portal, 'worker1')
    record_on_paper(browser, url, 'processing', 'given')
    assert run_transition(browser, url, 'enter').status_int == 303
    with portal.root() as root:
        after = snapshot(root)
        assert after == recount(root)
    assert after.get((*key, 'signed'), 0) == before.get((*key, 'signed'), 0) - 1
    assert after.get((*key, 'entered'), 0) == before.get((*key, 'entered'), 0) + 1


def test_evolve_step_fills_the_counters_of_an_existing_database(portal):
    """A database made before the statistics existed gets them from its contracts."""
    with portal.root() as root:
        expected = recount(root)
        for stats in root.statistics.values():
            stats.counters.clear()
        for dossier in root.dossiers.values():
            for contract in dossier.contracts.values():
                contract.stat_keys = None
        zodb_root = root._p_jar.root()
        del zodb_root[DONE_KEY]['0004-create-statistics']
        del root.__dict__['statistics']
        root._p_changed = True
        assert ROOT_KEY in zodb_root
    assert ev.evolve(portal.db, portal.clock.now(), log=lambda m: None) == [
        '0004-create-statistics']
    with portal.root() as root:
        assert snapshot(root) == expected


# -- property: counters equal a full recount after random sequences ---------

THEMES = st.lists(st.sampled_from(sorted(THEME_CODES)), min_size=1, max_size=3, unique=True)
CONTENT = st.fixed_dictionaries({
    'start_date': st.dates(min_value=date(START.year - 1, 1, 1),
                           max_value=date(START.year + 1, 6, 30)),
    'duration_months': st.integers(3, 12),
    'themes': THEMES,
    'actions': st.just('Atelier emploi.'),
})
OPERATIONS = st.lists(st.one_of(
    st.tuples(st.just('draft'), st.integers(0, 8), CONTENT),
    st.tuples(st.just('edit'), st.integers(0, 40), CONTENT),
    st.tuples(st.just('consent'), st.integers(0, 40), st.sampled_from(CONSENT_KINDS),
              st.sampled_from(DECISIONS)),
    st.tuples(st.just('transition'), st.integers(0, 40), st.sampled_from(TRANSITION_NAMES)),
    st.tuples(st.just('erase'), st.integers(0, 8)),
), min_size=1, max_size=25)


@pytest.fixture(scope='module')
def shared_portal():
    return Portal().initialise()


def _run(root, request, operation):
    dossiers = sorted(root.dossiers.values(), key=lambda d: d.__name__)
    contracts = [c for d in dossiers for c in d.contracts.values()]
    kind, index, *args = operation
    if kind == 'draft' and dossiers:
        draft_contract(request, dossiers[index % len(dossiers)], args[0], 'paper')
    elif kind == 'erase' and dossiers:
        erase(root, dossiers[index % len(dossiers)])
    elif not contracts:
        return
    elif kind == 'edit':
        contract = contracts[index % len(contracts)]
        contract.set_content(args[0])
        root.dossiers.reindex_contract(contract)
    elif kind == 'consent':
        record_consent(request, contracts[index % len(contracts)], *args, 'paper')
    else:
        try:
            CONTRACT_WORKFLOW.execute(contracts[index % len(contracts)], request, args[0],
                                      fields=('themes',), opinion='favourable')
        except WorkflowError:
            pass


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(operations=OPERATIONS)
def test_counters_equal_a_recount_after_random_sequences(shared_portal, operations):
    with shared_portal.root() as root:
        request = ActingAs(shared_portal.registry, root, 'system')
        for operation in operations:
            _run(root, request, operation)
        assert snapshot(root) == recount(root)
