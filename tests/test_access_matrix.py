"""The access-matrix proof (issue 4): every view of every object, requested as
every user, answers as the declarative table says, and no canary string
reaches a user who is not entitled to it (body, headers or redirect)."""
from datetime import date, timedelta

import pytest

from portail.demo import DEMO_PASSWORD, ActingAs, contract_in_state
from portail.models.dossier import Delegation, Dossier
from portail.models.note import Note
from portail.models.user import User
from portail.workflow.consents import record_consent
from tests.conftest import Portal, find_dossier
from tests.test_security import is_exception_view, methods_of, registered_views

# who is who: a name in the test -> a demo login (None: anonymous)
USERS = {
    'referent': 'worker1', 'delegate': 'worker2', 'expired_delegate': 'worker4',
    'note_reader': 'worker5', 'worker_other_district': 'worker3',
    'secretary': 'secretary1', 'secretary_other_district': 'secretary2',
    'manager': 'manager1', 'manager_social_worker': 'manager2', 'cli': 'cli1',
    'admin': 'admin1', 'dpo': 'dpo1', 'beneficiary': 'beneficiary1',
    'other_beneficiary': 'beneficiary2', 'director': 'director1', 'anonymous': None,
    # issue 13: a former delegate (with notes) made secretary, author of a note;
    # an administrator whose stored roles also open files (data from before the
    # rule), delegate with notes and granted a note: each must get exactly what
    # a plain secretary, a plain administrator gets
    'secretary_delegate': 'secretary3', 'admin_with_file_roles': 'admin2',
}
#: users who must hold exactly what another holds
SAME_AS = {'secretary_delegate': 'secretary', 'admin_with_file_roles': 'admin'}
LOGGED_IN = {u for u, login in USERS.items() if login}
WORKERS = {'referent', 'delegate', 'expired_delegate', 'note_reader', 'worker_other_district'}
SECRETARIES = {'secretary', 'secretary_other_district'}
L2 = {'referent', 'delegate', 'secretary', 'manager_social_worker', 'beneficiary'}

#: THE table: (permission, object) -> the users who hold it
EXPECTED = {
    ('view_home', 'root'): LOGGED_IN,
    ('change_password', 'root'): LOGGED_IN,
    ('logout', 'root'): LOGGED_IN,
    ('view_all_journals', 'root'): {'dpo'},
    ('view_administration_journal', 'root'): {'dpo'},
    ('manage_accounts', 'users'): {'admin'},
    ('manage_accounts', 'user'): {'admin'},
    ('lookup_identity', 'dossiers'): WORKERS | SECRETARIES,
    ('create_dossier', 'dossiers'): WORKERS,
    ('view_dossier', 'dossier'): L2,
    ('edit_identity', 'dossier'): {'referent', 'delegate'},
    ('edit_admin', 'dossier'): {'referent', 'delegate', 'secretary'},
    ('reassign_referent', 'dossier'): {'manager_social_worker'},
    ('add_contract', 'dossier'): {'referent', 'delegate'},
    ('manage_delegation', 'dossier'): {'referent', 'manager_social_worker'},
    ('add_note', 'dossier'): {'referent', 'delegate'},
    ('view_dossier_journal', 'dossier'): {'beneficiary'},
    ('manage_beneficiary_account', 'dossier'): {'referent', 'delegate'},
    ('export_dossier', 'dossier'): {'referent', 'delegate', 'beneficiary'},
    ('view_requests', 'dossier'): {'referent', 'delegate', 'beneficiary'},
    ('view_requests', 'request'): {'referent', 'delegate', 'beneficiary'},
    ('answer_request', 'request'): {'referent', 'delegate'},
    ('view_all_requests', 'root'): {'dpo'},
    ('view_contract', 'contract_draft'): L2 - {'secretary'},
    ('edit_contract', 'contract_draft'): {'referent', 'delegate'},
    ('give_consent', 'contract_draft'): {'beneficiary'},
    ('record_consent', 'contract_draft'): {'referent', 'delegate'},
    ('view_contract', 'contract_entered'): L2,
    ('edit_contract', 'contract_entered'): set(),
    ('give_consent', 'contract_entered'): {'beneficiary'},
    ('record_consent', 'contract_entered'): {'referent', 'delegate'},
    ('view_contract', 'contract_shared'): L2,
    ('edit_contract', 'contract_shared'): set(),
    ('give_consent', 'contract_shared'): {'beneficiary'},
    ('record_consent', 'contract_shared'): {'referent', 'delegate'},
    ('view_note', 'note_plain'): {'referent', 'delegate', 'beneficiary'},
    ('view_note', 'note_third_party'): {'referent', 'delegate'},
    ('view_note', 'note_granted'): {'referent', 'delegate', 'beneficiary', 'note_reader'},
}
for _note in ('note_plain', 'note_third_party', 'note_granted'):
    EXPECTED[('edit_note', _note)] = {'referent'}
    EXPECTED[('share_note', _note)] = {'referent'}
# a second dossier of the same référent and beneficiary, with no delegate,
# and its closed contract: nothing but reading is left there
for (_permission, _obj), _users in list(EXPECTED.items()):
    if _obj == 'dossier':
        EXPECTED[(_permission, 'dossier_martin')] = _users - {'delegate'}
EXPECTED[('add_note', 'dossier_martin')] = {'referent'}
EXPECTED[('view_dossier_journal', 'dossier_martin')] = {'beneficiary'}
EXPECTED[('view_contract', 'contract_closed')] = {'referent', 'manager_social_worker',
                                                  'beneficiary'}
for _permission in ('edit_contract', 'give_consent', 'record_consent'):
    EXPECTED[(_permission, 'contract_closed')] = set()
for _obj in ('cli_district', 'cli_summary'):
    EXPECTED[('view_cli_worklist', _obj)] = {'cli'}
    EXPECTED[('give_cli_opinion', _obj)] = {'cli'}
EXPECTED[('view_cli_worklist', 'cli_district_other')] = set()  # district 2: no facilitator here
# statistics: a district's facilitators and managers read it; the DPO and the
# département manager read the département, never one district's details
STATISTICS_READERS = {'cli', 'manager', 'manager_social_worker'}
EXPECTED[('view_statistics', 'statistics')] = STATISTICS_READERS | {'dpo', 'director'}
EXPECTED[('read_department_statistics', 'statistics')] = {'dpo', 'director'}
EXPECTED[('read_statistics', 'statistics_district')] = STATISTICS_READERS
EXPECTED[('read_statistics', 'statistics_district_other')] = set()  # nobody of district 2 here
# a note written by a delegate later made secretary: its author reads it no more
# (secretaries never read notes); the beneficiary does, as any plain note
EXPECTED[('view_note', 'note_secretary_delegate')] = {'beneficiary'}
EXPECTED[('edit_note', 'note_secretary_delegate')] = set()
EXPECTED[('share_note', 'note_secretary_delegate')] = set()


def _with_same_as(users):
    """``users`` and those of :data:`SAME_AS` who must hold what they hold."""
    return users | {user for user, model in SAME_AS.items() if model in users}



#: canary strings and who may ever read them
CANARIES = {
    'identity': (['CANARYNAMEQX', 'CANARYFIRSTQX', '11/11/1911'], L2),
    'dossier_admin': (['CANARY-ADDRESS-QX', 'CANARY-PHONE-QX', 'canary-mail-qx@example.org'], L2),
    'contract_draft': (['CANARY-DRAFT-ACTIONS-QX', 'CANARY-DRAFT-COMMIT-QX'], L2 - {'secretary'}),
    'contract_entered': (['CANARY-ENTERED-ACTIONS-QX', 'CANARY-CONSENT-NOTE-QX'], L2),
    # the référent shared the actions of this one with the CLI (and nothing else)
    'contract_shared': (['CANARY-SHARED-ACTIONS-QX'], L2 | {'cli'}),
    'note_plain': (['CANARY-NOTE-PLAIN-QX'], EXPECTED[('view_note', 'note_plain')]),
    'note_third_party': (['CANARY-NOTE-THIRD-QX'], EXPECTED[('view_note', 'note_third_party')]),
    'note_granted': (['CANARY-NOTE-GRANTED-QX'], EXPECTED[('view_note', 'note_granted')]),
    'request': (['CANARY-REQUEST-QX'], {'referent', 'delegate', 'beneficiary'}),
    # its author reads it no more; the copy made for the person
    # (docs/domain.md, *Rights of the person*), by the
    # person or by the référent or a delegate, holds it as any note they may read
    'note_secretary_delegate': (['CANARY-NOTE-SECDEL-QX'], {'beneficiary', 'referent',
                                                           'delegate'}),
}
EXPECTED = {key: _with_same_as(users) for key, users in EXPECTED.items()}
CANARIES = {group: (strings, _with_same_as(audience))
            for group, (strings, audience) in CANARIES.items()}

CONTEXT_OBJECTS = {
    'PortalRoot': ['root'], 'Users': ['users'], 'User': ['user'], 'Dossiers': ['dossiers'],
    'Dossier': ['dossier', 'dossier_martin'],
    'Contract': ['contract_draft', 'contract_entered', 'contract_shared', 'contract_closed'],
    'Note': ['note_plain', 'note_third_party', 'note_granted', 'note_secretary_delegate'],
    'static': ['static'],
    'CliSpace': ['cli'], 'CliDistrict': ['cli_district', 'cli_district_other'],
    'CliSummary': ['cli_summary'], 'RightsRequest': ['request'],
    'StatisticsSpace': ['statistics'],
    'DistrictStatistics': ['statistics_district', 'statistics_district_other'],
}
OPEN = {'login', 'notice', 'language', 'activate', ''}


def build(portal):
    """The département of the proof; return the URL of every object."""
    today = portal.clock.now().date()
    with portal.root() as root:
        district = root.users.find_login('worker1').district
        for login in ('worker4', 'worker5'):
            user = User(login, login.capitalize() + ' Collègue', ('worker',), district)
            user.password_hash = root.users.find_login('worker1').password_hash
            user.password_changed_at, user.must_change_password = portal.clock.now(), False
            user.password_never_expires = True
            root.users.add_user(user)
        for login, roles in (('secretary3', ('secretary',)), ('admin2', ('admin',))):
            user = User(login, login.capitalize() + ' Issue13', roles, district)
            user.password_hash = root.users.find_login('worker1').password_hash
            user.password_changed_at, user.must_change_password = portal.clock.now(), False
            user.password_never_expires = True
            root.users.add_user(user)
        # stored data from before the rule: the model refuses it, so set it by hand
        admin2 = root.users.find_login('admin2')
        admin2.roles = ('admin', 'manager', 'secretary', 'worker')
        admin2.qualified_social_worker = True
        root.users.reindex(admin2)
        uid = {name: root.users.find_login(login).uid
               for name, login in USERS.items() if login}
        dossier = Dossier(district, uid['referent'])
        dossier.last_name, dossier.first_names = 'Canarynameqx', 'Canaryfirstqx'
        dossier.birth_date = date(1911, 11, 11)
        dossier.address, dossier.phone = 'CANARY-ADDRESS-QX', 'CANARY-PHONE-QX'
        dossier.email = 'canary-mail-qx@example.org'
        root.dossiers.add_dossier(dossier)
        root.dossiers.set_beneficiary(dossier, uid['beneficiary'])
        root.dossiers.delegate(dossier, Delegation(uid['delegate'], today + timedelta(days=5),
                                                   True, uid['referent'], portal.clock.now()))
        root.dossiers.delegate(dossier, Delegation(
            uid['expired_delegate'], today - timedelta(days=1), True, uid['referent'],
            portal.clock.now()))
        for name in ('secretary_delegate', 'admin_with_file_roles'):
            root.dossiers.delegate(dossier, Delegation(
                uid[name], today + timedelta(days=5), True, uid['referent'], portal.clock.now()))
        martin = find_dossier(root, 'Martin')
        closed = next(c for c in martin.contracts.values() if c.state == 'closed')
        urls = {'root': '/', 'users': '/users/', 'user': f'/users/{uid["cli"]}/',
                'dossier_martin': f'/dossiers/{martin.__name__}/',
                'contract_closed': f'/dossiers/{martin.__name__}/contracts/{closed.__name__}/',
                'dossiers': '/dossiers/', 'static': '/static/portail.css',
                'dossier': f'/dossiers/{dossier.__name__}/'}
        acting = ActingAs(portal.registry, root, uid['referent'])
        for state, text in (('draft', 'DRAFT'), ('entered', 'ENTERED'), ('shared', 'SHARED')):
            values = {'start_date': today, 'duration_months': 6, 'themes': ('emploi',),
                      'actions': f'CANARY-{text}-ACTIONS-QX',
                      'commitments': f'CANARY-{text}-COMMIT-QX' if state == 'draft' else ''}
            contract = contract_in_state(root, portal.registry, dossier, values, state)
            if state == 'entered':
                record_consent(acting, contract, 'share_cli', 'refused', 'paper',
                               'CANARY-CONSENT-NOTE-QX')
            urls[f'contract_{state}'] = f'{urls["dossier"]}contracts/{contract.__name__}/'
            if state == 'shared':
                urls['cli_district'] = f'/cli/{district}/'
                urls['cli_summary'] = f'/cli/{district}/{contract.cli_summary}/'
        other = root.users.find_login('worker3').district
        urls['cli_district_other'] = f'/cli/{other}/'
        urls['cli'] = '/cli/'
        urls['statistics'] = '/statistics/'
        urls['statistics_district'] = f'/statistics/{district}/'
        urls['statistics_district_other'] = f'/statistics/{other}/'
        from portail.models.request import RightsRequest

        rq = RightsRequest('rectification', 'CANARY-REQUEST-QX', 'online', uid['beneficiary'],
                           portal.clock.now())
        root.dossiers.add_request(dossier, rq)
        urls['request'] = f'{urls["dossier"]}requests/{rq.__name__}/'
        for name, text, third in (('note_plain', 'PLAIN', False),
                                  ('note_third_party', 'THIRD', True),
                                  ('note_granted', 'GRANTED', False),
                                  ('note_secretary_delegate', 'SECDEL', False)):
            author = uid['secretary_delegate' if text == 'SECDEL' else 'referent']
            note = Note(author, f'CANARY-NOTE-{text}-QX', third, portal.clock.now())
            dossier.notes.add(note)
            if name == 'note_granted':
                note.grants[uid['note_reader']] = None
                note.grants[uid['admin_with_file_roles']] = None
            urls[name] = f'{urls["dossier"]}notes/{note.__name__}/'
    return urls


def leaks(user, response):
    """Canary strings in ``response`` that ``user`` may not read."""
    seen = response.text + ' ' + ' '.join(f'{k}: {v}' for k, v in response.headerlist)
    found = []
    for group, (strings, audience) in CANARIES.items():
        if user in audience:
            continue
        found.extend(f'{group}:{s}' for s in strings if s.lower() in seen.lower())
    return found


@pytest.fixture(scope='module')
def departement():
    portal = Portal().initialise()
    urls = build(portal)
    browsers = {}
    for user, login in USERS.items():
        browser = portal.browser()
        if login:
            assert browser.login(login, DEMO_PASSWORD).status_int == 200, login
        browsers[user] = browser
    return portal, urls, browsers


def test_every_view_as_every_user(departement):
    portal, urls, browsers = departement
    views = [(c, n, p, methods_of(intr)) for c, n, p, intr in registered_views(portal.registry)
             if not is_exception_view(intr)]
    tokens = {user: browser.csrf() for user, browser in browsers.items()}
    checked, all_leaks, wrong = 0, [], []
    for context, name, permission, methods in views:
        for obj in CONTEXT_OBJECTS[context]:
            url = urls[obj] if context == 'static' else urls[obj] + name
            open_view = context == 'static' or (context == 'PortalRoot' and name in OPEN
                                                and permission == '__no_permission_required__')
            entitled = LOGGED_IN | {'anonymous'} if open_view else EXPECTED[(permission, obj)]
            for user, browser in browsers.items():
                allowed = user in entitled
                for method in methods:
                    if method == 'POST' and allowed:
                        continue  # an entitled POST would change the data under test
                    if method == 'GET':
                        response = browser.get(url, status='*')
                    else:
                        response = browser.post(url, {'csrf_token': tokens[user]}, status='*')
                    checked += 1
                    status = response.status_int
                    if allowed:
                        ok = status in (200, 302, 303)
                    elif user == 'anonymous':
                        ok = status == 302 and response.location.endswith('/login')
                    else:
                        ok = status == 403
                    if not ok:
                        wrong.append((method, url, user, status))
                    all_leaks.extend((method, url, user, leak) for leak in leaks(user, response))
    print(f'\naccess matrix: {checked} requests checked, {len(all_leaks)} leaks, '
          f'{len(wrong)} unexpected statuses')
    assert wrong == []
    assert all_leaks == []
    assert checked >= 1000


def test_the_canaries_do_reach_those_entitled(departement):
    """The proof would be empty if the canaries were nowhere to be seen."""
    portal, urls, browsers = departement
    for group, (strings, audience) in CANARIES.items():
        page_of = {'identity': 'dossier', 'dossier_admin': 'dossier'}.get(group, group)
        for user in audience:
            page = 'cli_summary' if user == 'cli' else page_of  # the CLI reads its copy
            url = urls[page]
            if group == 'note_secretary_delegate' and user != 'beneficiary':
                url = urls['dossier'] + 'copy'  # the person's copy, made for them
            text = browsers[user].get(url).text
            assert strings[0].lower() in text.lower(), (group, user)


def test_third_party_note_existence_is_shown_to_the_beneficiary(departement):
    portal, urls, browsers = departement
    page = browsers['beneficiary'].get(urls['dossier'])
    notes = page.html.find(id='notes-title').find_parent('section').select('li')
    assert len(notes) == 4  # three notes to read, one whose existence only is shown
    assert len([li for li in notes if li.find('a')]) == 3
    assert 'CANARY-NOTE-THIRD-QX' not in page.text
    assert urls['note_third_party'] not in page.text
    # the référent, author of the three, reads them all
    page = browsers['referent'].get(urls['dossier'])
    assert urls['note_third_party'] in page.text
