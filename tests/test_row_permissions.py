"""Permissions on the rows of the entry queue asked once per (district,
state) (issue 20, :mod:`portail.acl.rowcheck`) give exactly what a check of
each row gives, for every account, on a département with rows in both
districts and every state: delegations (running and expired), an absence,
transfer requests (open, and accepted: a dossier moved to the other
district), a withdrawn consent, contracts kept on paper, secretaries who
are also social worker, beneficiary or manager.  Both are computed here:
the helper, and ``request.has_permission`` row by row.

The CLI worklist checks nothing per row: its summaries share their folder's
ACL, so one check of the folder answers for each of them (checked here too).
"""
from datetime import date, timedelta

import pytest

from portail.acl import permissions as P
from portail.acl.localroles import PER_DOSSIER_ROLES
from portail.acl.policy import PortalSecurityPolicy
from portail.acl.roles import granted_roles
from portail.acl.rowcheck import RowPermissions
from portail.demo import CONTENT, ActingAs, contract_in_state
from portail.models.dossier import Delegation, Dossier
from portail.models.transfer import TransferRequest
from portail.models.user import User
from portail.views import entry_queue
from portail.workflow.consents import record_consent
from tests.conftest import Portal, RequestAs, accept_charter, find_dossier, logged_in

#: every permission a contract's row could offer as an action
ACTIONS = (P.VIEW_CONTRACT, P.EDIT_CONTRACT, P.SIGN, P.RECORD_SIGNATURE, P.ENTER,
           P.KEEP_ON_PAPER, P.SHARE, P.UNSHARE, P.AMEND, P.CLOSE, P.CLI_OPINION,
           P.GIVE_CONSENT, P.RECORD_CONSENT)

#: accounts added to the demo's: (login, roles, district number, qualified)
EXTRA_ACCOUNTS = (
    ('secwork', ('secretary', 'worker'), 2, False),
    ('secben', ('secretary', 'beneficiary'), 2, False),
    ('secman', ('secretary', 'manager'), 1, True),
    ('cli2', ('cli',), 2, False),
)


def _dossier(root, registry, now, worker, name, states):
    dossier = Dossier(worker.district, worker.uid)
    dossier.last_name, dossier.first_names = name, 'Test'
    dossier.birth_date = date(1985, 6, 1)
    dossier.created_at = now
    root.dossiers.add_dossier(dossier)
    contracts = []
    for number, state in enumerate(states):
        start = date(2026, 10, 1) - timedelta(days=300 * number)
        values = dict(CONTENT, start_date=start, review_date=start + timedelta(days=90),
                      duration_months=12)
        contracts.append(contract_in_state(root, registry, dossier, values, state))
    return dossier, contracts


def build(portal):
    """The demo, plus the rows and accounts of the module's docstring."""
    with portal.root() as root:
        users = root.users
        model = users.find_login('secretary1')
        north = find_dossier(root, 'Martin').district
        south = find_dossier(root, 'Bonnet').district
        districts = {1: north, 2: south}
        for login, roles, district, qualified in EXTRA_ACCOUNTS:
            user = User(login, login.title(), roles, districts[district], qualified)
            for field in ('password_hash', 'password_changed_at', 'must_change_password',
                          'password_never_expires', 'created_at'):
                setattr(user, field, getattr(model, field))
            users.add_user(user)
            accept_charter(root, user, at=portal.clock.now())
        w1, w2, w3 = (users.find_login(f'worker{n}') for n in (1, 2, 3))
        secwork, secben = users.find_login('secwork'), users.find_login('secben')
        registry, now = portal.registry, portal.clock.now()
        made = {}
        for worker, prefix in ((w1, 'Nord'), (w2, 'Nordb'), (w3, 'Sud')):
            for number, states in enumerate((('signed',), ('signed', 'closed'),
                                             ('signed',), ('paper',), ('entered',))):
                made[f'{prefix}{number}'] = _dossier(root, registry, now, worker,
                                                     f'{prefix}{number}', states)
        later, before = now.date() + timedelta(days=30), now.date() - timedelta(days=1)
        # delegations: running (with the notes), to a secretary-worker of the
        # other district, and one that has ended
        root.dossiers.delegate(made['Nord0'][0], Delegation(w2.uid, later, True, w1.uid, now))
        root.dossiers.delegate(made['Nord1'][0], Delegation(secwork.uid, later, False,
                                                            w1.uid, now))
        root.dossiers.delegate(made['Nord2'][0], Delegation(secwork.uid, before, False,
                                                            w1.uid, now))
        # an absence: worker2's dossiers entrusted to worker3 (the other district)
        users.set_absence(w2, Delegation(w3.uid, later, False, w2.uid, now))
        # a secretary who is the person of a dossier of the other district
        root.dossiers.set_beneficiary(made['Nord3'][0], secben.uid)
        # a secretary-worker référent of a dossier of her district
        root.dossiers.set_referent(made['Sud4'][0], secwork.uid)
        # a transfer asked by worker3, open; another accepted: a dossier of
        # the north moved south, its signed contract with it
        root.dossiers.add_transfer(made['Nordb1'][0],
                                   TransferRequest(w3.uid, south, 'Déménagement', now))
        moved = made['Nordb2'][0]
        transfer = TransferRequest(w3.uid, south, 'Déménagement', now)
        root.dossiers.add_transfer(moved, transfer)
        root.dossiers.move_to(moved, south, w3.uid)
        transfer.close('accepted', '', w1.uid, now)
        # a withdrawn consent: the signed contract waits for a consent again
        record_consent(ActingAs(registry, root, w2.uid), made['Nordb0'][1][0], 'processing',
                       'withdrawn', 'paper')
    return portal


@pytest.fixture(params=['true', 'false'], ids=['entry-on', 'entry-off'])
def portal(request):
    return build(Portal({'portail.secretaries_enter_contracts': request.param}).initialise())


def all_contracts(root):
    return [c for d in root.dossiers.values() for c in d.contracts.values()]


def logins(portal):
    with portal.root() as root:
        return sorted(u.login for u in root.users.values())


class PerRow:
    """The check of each row, as before issue 20."""

    def __init__(self, request, permissions):
        self.request = request
        self.permissions = permissions

    def allows(self, permission, contract):
        return bool(self.request.has_permission(permission, contract))


def test_the_helper_answers_what_each_row_answers_for_every_account(portal):
    for login in logins(portal):
        browser = logged_in(portal, login)
        with RequestAs(portal, browser) as request:
            contracts = all_contracts(request.root)
            expected = [{p: bool(request.has_permission(p, c)) for p in ACTIONS}
                        for c in contracts]
            for order in (1, -1):  # another first row of each (district, state)
                can = RowPermissions(request, ACTIONS)
                got = [can(c) for c in contracts[::order]][::order]
                assert got == expected, login
                roles = set(granted_roles(request.root.users.find_login(login)))
                groups = {(c.dossier.district, c.state) for c in contracts}
                if roles & PER_DOSSIER_ROLES:
                    assert can.asked == len(contracts), login
                else:
                    assert can.asked == len(groups), login


def test_without_a_per_dossier_role_the_local_roles_depend_on_the_district_only(portal):
    """The fact the helper relies on, checked on the principals themselves:
    for an account holding neither worker nor beneficiary, every contract of
    one (district, state) gets the same principals."""
    policy = PortalSecurityPolicy()
    checked = 0
    for login in logins(portal):
        with RequestAs(portal, logged_in(portal, login)) as request:
            user = request.root.users.find_login(login)
            if PER_DOSSIER_ROLES & set(granted_roles(user)):
                continue
            seen = {}
            for contract in all_contracts(request.root):
                principals = frozenset(policy.principals_for(request, contract))
                key = (contract.dossier.district, contract.state)
                assert seen.setdefault(key, principals) == principals, (login, key)
            checked += 1
    assert checked >= 8


def test_a_secretary_worker_differs_row_by_row(portal):
    """Why the shortcut is not taken for her: within one (district, state),
    the dossier delegated to her shows, its neighbours do not."""
    with RequestAs(portal, logged_in(portal, 'secwork')) as request:
        north = find_dossier(request.root, 'Martin').district
        answers = {bool(request.has_permission(P.VIEW_CONTRACT, c))
                   for c in request.root.dossiers.contracts_in(north, 'signed')}
        assert answers == {True, False}
        assert not RowPermissions(request, ACTIONS).shared


def queue_sections(page):
    return [str(page.html.find('section', attrs={'aria-labelledby': s}))
            for s in ('queue-title', 'waiting-title')]


def test_the_queue_shows_what_checks_of_each_row_show(portal, monkeypatch):
    with portal.root() as root:
        referents = [u.uid for u in root.users.values() if 'worker' in u.roles]
    shown = 0
    for login in ('secretary1', 'secretary2', 'secwork', 'secben', 'secman'):
        browser = logged_in(portal, login)
        for query in [{}, {'queue_page': '2'}] + [{'referent': uid} for uid in referents]:
            with monkeypatch.context() as patch:
                patch.setattr(entry_queue, 'RowPermissions', PerRow)
                expected = queue_sections(browser.get('/', params=query))
            page = browser.get('/', params=query)
            assert queue_sections(page) == expected, (login, query)
            shown += len(page.html.select('section[aria-labelledby=queue-title] tbody tr'))
    assert shown > 20


def test_the_cli_worklist_has_one_answer_for_all_its_summaries(portal):
    with portal.root() as root:
        folders = {name: sorted(s.pseudonym for s in folder.values())
                   for name, folder in root.cli.items()}
    assert any(folders.values())
    for login in logins(portal):
        browser = logged_in(portal, login)
        for name, pseudonyms in folders.items():
            with RequestAs(portal, browser) as request:
                folder = request.root.cli[name]
                per_row = {p: {bool(request.has_permission(p, s)) for s in folder.values()}
                           for p in (P.VIEW_CLI_WORKLIST, P.CLI_OPINION)}
                once = {p: bool(request.has_permission(p, folder)) for p in per_row}
            for p, answers in per_row.items():
                assert answers <= {once[p]}, (login, name, p)
            page = browser.get(f'/cli/{name}/', status='*')
            if once[P.VIEW_CLI_WORKLIST]:
                assert sorted(a.text for a in page.html.select('tbody td > a')) == pseudonyms
            else:
                assert page.status_int in (302, 403, 404), (login, name)
