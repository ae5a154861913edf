"""The contract workflow checked against the very table the code uses:
every transition, from every state, for every role, allowed and refused."""
import pytest

from portail.acl import localroles as L
from portail.demo import CONTENT, ActingAs, contract_in_state
from portail.workflow.consents import record_consent
from portail.workflow.contract import CONTRACT_WORKFLOW, PERMISSIONS_BY_STATE, TRANSITIONS
from portail.workflow.engine import WorkflowError
from tests.conftest import RequestAs, find_dossier, logged_in

#: each demo account and the local roles it holds on Bernard Martin's dossier
#: (district 1, référent worker1, beneficiary beneficiary1)
USERS = {
    'worker1': {L.REFERENT},
    'beneficiary1': {L.BENEFICIARY},
    'secretary1': {L.SECRETARY, L.ENTERING_SECRETARY},
    'manager2': {L.MANAGER},
    'cli1': {L.CLI},
    'worker2': set(),       # same district, not the référent
    'worker3': set(),       # other district
    'secretary2': set(),    # other district
    'manager1': set(),      # manager, not a qualified social worker
    'beneficiary2': set(),  # another person
    'admin1': set(),
    'dpo1': set(),
}

CASES = [(t.name, state) for t in TRANSITIONS for state in t.sources]


def expected_permissions(state, login):
    granted = set()
    for principal in USERS[login]:
        granted |= set(PERMISSIONS_BY_STATE[state].get(principal, ()))
    return granted


def prepare_guards(request, contract, transition):
    """Record what the transition's guards need; return the options to pass."""
    options = {}
    if transition == 'enter':
        record_consent(request, contract, 'processing', 'given', 'paper')
    if transition == 'keep_on_paper':
        record_consent(request, contract, 'processing', 'refused', 'paper')
    if transition == 'share':
        record_consent(request, contract, 'share_cli', 'given', 'paper')
        options['fields'] = ('themes',)
    if transition == 'cli_opinion':
        options['opinion'] = 'favourable'
    return options


@pytest.fixture(scope='module')
def setup():
    from tests.conftest import Portal

    portal = Portal().initialise()
    refs = {}
    with portal.root() as root:
        dossier = find_dossier(root, 'Martin')
        for state in PERMISSIONS_BY_STATE:
            if state == 'closed':
                continue
            values = dict(CONTENT, start_date=portal.clock.now().date())
            if state == 'signed':  # signed, the consent to the processing not given yet
                contract = contract_in_state(root, portal.registry, dossier, values, 'draft')
                CONTRACT_WORKFLOW.execute(contract, ActingAs(portal.registry, root,
                                                             dossier.referent),
                                          'sign_paper', channel='paper')
            else:
                contract = contract_in_state(root, portal.registry, dossier, values, state)
            refs[state] = (dossier.__name__, contract.__name__)
    browsers = {login: logged_in(portal, login) for login in USERS}
    return portal, refs, browsers


def test_the_table_covers_every_state_and_transition():
    assert set(PERMISSIONS_BY_STATE) == set(CONTRACT_WORKFLOW.states)
    for t in TRANSITIONS:
        if t.permission == 'system_only':  # run by the portal itself, granted to nobody
            assert all('system_only' not in perms for grants in PERMISSIONS_BY_STATE.values()
                       for perms in grants.values())
            continue
        assert any(t.permission in perms for state in t.sources
                   for perms in PERMISSIONS_BY_STATE[state].values()), t.name


@pytest.mark.parametrize('transition,state', CASES)
def test_every_transition_for_every_role(setup, transition, state):
    portal, refs, browsers = setup
    t = CONTRACT_WORKFLOW.transitions[transition]
    checked = 0
    for login in USERS:
        allowed = t.permission in expected_permissions(state, login)
        with RequestAs(portal, browsers[login]) as request:
            contract = request.root.dossiers.contract(refs[state])
            options = prepare_guards(request, contract, transition)
            assert bool(request.has_permission(t.permission, contract)) is allowed, login
            if allowed:
                assert CONTRACT_WORKFLOW.execute(contract, request, transition, **options) \
                    == t.target
                assert contract.history[-1].target == contract.state == t.target
                assert contract.history[-1].actor == request.authenticated_userid
            else:
                with pytest.raises(Exception) as refused:
                    CONTRACT_WORKFLOW.execute(contract, request, transition, **options)
                assert refused.type.__name__ == 'HTTPForbidden'
                assert contract.state == state
        checked += 1
    assert checked == len(USERS)


def test_the_table_says_what_the_spec_says():
    """A few rules of docs/domain.md, *Workflow*, written out by hand, against the table."""
    def who_may(transition, state):
        t = CONTRACT_WORKFLOW.transitions[transition]
        return {login for login in USERS if t.permission in expected_permissions(state, login)}

    assert who_may('sign', 'draft') == {'beneficiary1'}
    assert who_may('sign_paper', 'draft') == {'worker1'}
    assert who_may('enter', 'signed') == {'worker1', 'secretary1'}
    assert who_may('share', 'entered') == {'worker1'}
    assert who_may('cli_opinion', 'shared') == {'cli1'}
    for state in ('signed', 'entered', 'shared', 'paper'):
        assert who_may('amend', state) == {'worker1'}
    for login in ('admin1', 'dpo1', 'manager1', 'worker2', 'worker3', 'cli1'):
        for state in PERMISSIONS_BY_STATE:
            assert 'view_contract' not in expected_permissions(state, login)


def test_secretaries_cannot_enter_when_the_setting_is_off():
    from tests.conftest import Portal

    portal = Portal({'portail.secretaries_enter_contracts': 'false'}).initialise()
    secretary = logged_in(portal, 'secretary1')
    with RequestAs(portal, secretary) as request:
        contract = request.root.dossiers.contracts_in(
            find_dossier(request.root, 'Petit').district, 'signed')[0]
        record_consent(request, contract, 'processing', 'given', 'paper')
        assert request.has_permission('view_contract', contract)
        assert not request.has_permission('enter_contract', contract)


GUARD_CASES = [
    ('enter', 'signed', {}, "consent to computerised processing is not recorded"),
    ('keep_on_paper', 'signed', {}, "refusal of computerised processing is not recorded"),
    ('share', 'entered', {'fields': ('themes',)}, 'sharing with the CLI is not recorded'),
    ('cli_opinion', 'shared', {}, 'opinion'),
]


@pytest.mark.parametrize('transition,state,options,message', GUARD_CASES)
def test_guards_refuse_without_consent(setup, transition, state, options, message):
    portal, refs, browsers = setup
    login = 'cli1' if transition == 'cli_opinion' else 'worker1'
    with RequestAs(portal, browsers[login]) as request:
        contract = request.root.dossiers.contract(refs[state])
        history = len(contract.history)
        with pytest.raises(WorkflowError) as failed:
            CONTRACT_WORKFLOW.execute(contract, request, transition, **options)
        assert message in failed.value.message.interpolate()
        assert contract.state == state and len(contract.history) == history


def test_share_needs_fields(setup):
    portal, refs, browsers = setup
    with RequestAs(portal, browsers['worker1']) as request:
        contract = request.root.dossiers.contract(refs['entered'])
        record_consent(request, contract, 'share_cli', 'given', 'paper')
        for fields in ((), ('address',)):
            with pytest.raises(WorkflowError):
                CONTRACT_WORKFLOW.execute(contract, request, 'share', fields=fields)


def test_unknown_transition_and_wrong_state(setup):
    portal, refs, browsers = setup
    with RequestAs(portal, browsers['worker1']) as request:
        contract = request.root.dossiers.contract(refs['draft'])
        for name in ('fly', 'enter'):
            with pytest.raises(WorkflowError):
                CONTRACT_WORKFLOW.execute(contract, request, name)


def test_the_table_must_cover_every_state():
    from portail.workflow.engine import Transition, Workflow

    with pytest.raises(ValueError):
        Workflow('w', 'a', {'a': 'A', 'b': 'B'}, [], {'a': {}})
    with pytest.raises(ValueError):
        Workflow('w', 'a', {'a': 'A'}, [Transition('t', 'T', ('a',), 'z', 'p')], {'a': {}})
