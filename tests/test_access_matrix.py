"""The access-matrix proof (issue 4): every view of every object, requested as
every user, answers as the access matrix says (:mod:`portail.acl.matrix`,
read here by a small reader of its own, from the facts of who is who in the
test's data), and no canary string reaches a user who is not entitled to it
(body, headers or redirect).  The matrix itself is checked against a short
list of sentences of the domain rules (docs/security.md, "Tests")."""
from datetime import date, timedelta

import pytest
from pyramid.authorization import DENY_ALL, Authenticated, Everyone

from portail.acl import localroles as L
from portail.acl import matrix
from portail.acl import permissions as P
from portail.acl import principals as pr
from portail.acl import roles as R
from portail.acl.matrix import ANY
from portail.demo import DEMO_PASSWORD, ActingAs, contract_in_state
from portail.feed.tokens import issue_token
from portail.models.commission import CommissionSession
from portail.models.dossier import Delegation, Dossier
from portail.models.note import Note
from portail.models.user import User
from portail.workflow.consents import record_consent
from tests.conftest import Portal, accept_charter, enrol_second_factor, find_dossier
from tests.test_security import is_exception_view, methods_of, registered_views

#: the login of the feed's API account (issue 19)
API_LOGIN = 'si-departement'
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
    # issue 19: the API account of the feed to the departmental information
    # system, with its bearer token (no password, no session)
    'api': API_LOGIN,
}
#: users who must hold exactly what another holds
SAME_AS = {'secretary_delegate': 'secretary', 'admin_with_file_roles': 'admin'}
LOGGED_IN = {u for u, login in USERS.items() if login}
L2 = {'referent', 'delegate', 'secretary', 'manager_social_worker', 'beneficiary'}

# -- who is who: the facts of the test's data, from which the expectations are
# -- derived by reading the access matrix (never a copy of its rules)

#: the roles of each user (of SAME_AS's models: the others hold what they hold)
ROLES_OF = {
    'referent': R.WORKER, 'delegate': R.WORKER, 'expired_delegate': R.WORKER,
    'note_reader': R.WORKER, 'worker_other_district': R.WORKER,
    'secretary': R.SECRETARY, 'secretary_other_district': R.SECRETARY,
    'manager': R.MANAGER, 'manager_social_worker': R.MANAGER, 'director': R.MANAGER,
    'cli': R.CLI, 'admin': R.ADMIN, 'dpo': R.DPO,
    'beneficiary': R.BENEFICIARY, 'other_beneficiary': R.BENEFICIARY, 'api': R.API_FEED,
}
#: the local roles held on the dossier of the proof, and so on all it holds
#: (district 1: référent worker1, beneficiary1, an active delegate with the
#: notes, an expired one; worker5 is only granted one note)
ON_DOSSIER = {
    'referent': {L.REFERENT}, 'delegate': {L.DELEGATE, L.NOTES_DELEGATE},
    'secretary': {L.SECRETARY, L.ENTERING_SECRETARY}, 'manager_social_worker': {L.MANAGER},
    'cli': {L.CLI}, 'beneficiary': {L.BENEFICIARY},
}
#: Bernard Martin's dossier: the same référent and beneficiary, no delegate
ON_MARTIN = {user: held for user, held in ON_DOSSIER.items() if user != 'delegate'}
#: the notes of the référent on the dossier of the proof
ON_REFERENTS_NOTE = {'referent': {L.NOTE_AUTHOR}, 'delegate': {L.REFERENT_NOTE_READER}}
#: a transfer request on the dossier of the proof, asked by the worker of the
#: other district (issue 16)
ON_TRANSFER = {'worker_other_district': {L.TRANSFER_REQUESTER}}
#: the district's CLI folder and its summaries; its statistics
ON_CLI = {'cli': {L.CLI}}
ON_STATISTICS = {user: {L.STATISTICS_READER}
                 for user in ('cli', 'manager', 'manager_social_worker')}
#: the district of the proof: its qualified manager (issue 16: caseloads)
ON_DISTRICT = {'manager_social_worker': {L.MANAGER}}


def _with_same_as(users):
    """``users`` and those of :data:`SAME_AS` who must hold what they hold."""
    return users | {user for user, model in SAME_AS.items() if model in users}


def _joined(*tables):
    joined = {}
    for table in tables:
        for user, held in table.items():
            joined[user] = joined.get(user, set()) | held
    return joined


#: each object of the proof: its lineage of (kind, state) in the matrix, up to
#: the root, and the local roles held on it
_ROOT = [('root', ANY)]
_USERS = [('users', ANY)] + _ROOT
OBJECTS = {
    'root': (_ROOT, {}),
    'users': (_USERS, {}),
    'user': ([('user', ANY)] + _USERS, {}),
    'dossiers': ([('dossiers', ANY)] + _ROOT, {}),
    'dossier': ([('dossier', ANY), ('dossiers', ANY)] + _ROOT, ON_DOSSIER),
    'dossier_martin': ([('dossier', ANY), ('dossiers', ANY)] + _ROOT, ON_MARTIN),
    'request': ([('dossier', ANY), ('dossiers', ANY)] + _ROOT, ON_DOSSIER),
    # a letter (issue 17): no ACL of its own, the dossier's answers
    'letter': ([('dossier', ANY), ('dossiers', ANY)] + _ROOT, ON_DOSSIER),
    'transfer': ([('transfer', 'open'), ('dossier', ANY)], _joined(ON_DOSSIER, ON_TRANSFER)),
    'contract_closed': ([('contract', 'closed'), ('dossier', ANY)], ON_MARTIN),
    'note_plain': ([('note', 'plain'), ('dossier', ANY)],
                   _joined(ON_DOSSIER, ON_REFERENTS_NOTE)),
    'note_third_party': ([('note', 'third_party'), ('dossier', ANY)],
                         _joined(ON_DOSSIER, ON_REFERENTS_NOTE)),
    'note_granted': ([('note', 'plain'), ('dossier', ANY)],
                     _joined(ON_DOSSIER, ON_REFERENTS_NOTE, {'note_reader': {L.NOTE_READER}})),
    # written by a delegate made secretary since: no author any more
    'note_secretary_delegate': ([('note', 'plain'), ('dossier', ANY)], ON_DOSSIER),
    'cli': ([('cli', ANY)] + _ROOT, {}),
    'cli_district': ([('cli_district', ANY), ('cli', ANY)] + _ROOT, ON_CLI),
    'cli_summary': ([('cli_district', ANY), ('cli', ANY)] + _ROOT, ON_CLI),
    'cli_district_other': ([('cli_district', ANY), ('cli', ANY)] + _ROOT, {}),
    # the district's commission sessions, and one session holding the summary
    'cli_sessions': ([('cli_session', ANY), ('cli_district', ANY), ('cli', ANY)] + _ROOT,
                     ON_CLI),
    'cli_session': ([('cli_session', ANY), ('cli_district', ANY), ('cli', ANY)] + _ROOT,
                    ON_CLI),
    'statistics': ([('statistics', ANY)] + _ROOT, {}),
    'statistics_district': ([('statistics_district', ANY), ('statistics', ANY)] + _ROOT,
                            ON_STATISTICS),
    'statistics_district_other': ([('statistics_district', ANY), ('statistics', ANY)] + _ROOT,
                                  {}),
    'districts': ([('districts', ANY)] + _ROOT, {}),
    'district': ([('district', ANY), ('districts', ANY)] + _ROOT, ON_DISTRICT),
    'district_other': ([('district', ANY), ('districts', ANY)] + _ROOT, {}),
    # the confidentiality charter (issue 18): its own ACL, nothing inherited
    'charter': ([('charter', ANY)], {}),
}
for _state in ('draft', 'entered', 'shared'):
    OBJECTS[f'contract_{_state}'] = ([('contract', _state), ('dossier', ANY)], ON_DOSSIER)


def account_principals(user):
    """What an account carries everywhere (the principals of its session)."""
    if user not in ROLES_OF:
        return {Everyone}
    role = ROLES_OF[user]
    if role == R.API_FEED:  # its bearer token's: no Authenticated, no ACTIVE
        return {Everyone, pr.role(role)}
    found = {Everyone, Authenticated, pr.ACTIVE, pr.role(role)}
    if user == 'director':  # a manager without district
        found.add(pr.DEPARTMENT_MANAGER)
    return found


def matrix_permits(principals, lineage, permission):
    """Read the matrix as an ACL is read: the first kind of the lineage that
    grants ``permission`` to one of ``principals`` allows; a kind that does not
    let its parent answer (not INHERITING) denies the rest."""
    for kind, state in lineage:
        if any(permission in matrix.grants(kind, state).get(p, ()) for p in principals):
            return True
        if kind not in matrix.INHERITING:
            return False
    return False


def holders(permission, obj):
    """The users of the proof who hold ``permission`` on ``obj``, per the matrix."""
    lineage, local_roles = OBJECTS[obj]
    found = {user for user in USERS if user not in SAME_AS and matrix_permits(
        account_principals(user) | local_roles.get(user, set()), lineage, permission)}
    return _with_same_as(found)


#: canary strings and who may ever read them
CANARIES = {
    # level 1: also the worker of the other district who asked for the dossier's
    # transfer, as the lookup showed it to them (issue 16); never level 2
    # and the departmental information system, which the feed tells of the
    # contracts entered (issue 19: the identity that matches the person)
    'identity': (['CANARYNAMEQX', 'CANARYFIRSTQX', '11/11/1911'],
                 L2 | {'worker_other_district', 'api'}),
    'dossier_admin': (['CANARY-ADDRESS-QX', 'CANARY-PHONE-QX', 'canary-mail-qx@example.org'], L2),
    'contract_draft': (['CANARY-DRAFT-ACTIONS-QX', 'CANARY-DRAFT-COMMIT-QX'], L2 - {'secretary'}),
    'contract_entered': (['CANARY-ENTERED-ACTIONS-QX', 'CANARY-CONSENT-NOTE-QX'], L2),
    # the référent shared the actions of this one with the CLI (and nothing else)
    'contract_shared': (['CANARY-SHARED-ACTIONS-QX'], L2 | {'cli'}),
    'note_plain': (['CANARY-NOTE-PLAIN-QX'], {'referent', 'delegate', 'beneficiary'}),
    'note_third_party': (['CANARY-NOTE-THIRD-QX'], {'referent', 'delegate'}),
    'note_granted': (['CANARY-NOTE-GRANTED-QX'], {'referent', 'delegate', 'beneficiary',
                                                  'note_reader'}),
    'request': (['CANARY-REQUEST-QX'], {'referent', 'delegate', 'beneficiary'}),
    'letter': (['CANARY-LETTER-QX'], {'referent', 'delegate', 'beneficiary'}),
    # the reason of a transfer request: its author, the référent, the qualified manager
    'transfer': (['CANARY-TRANSFER-QX'], {'referent', 'manager_social_worker',
                                          'worker_other_district'}),
    # its author reads it no more; the copy made for the person
    # (docs/domain.md, *Rights of the person*), by the person or by the référent
    # or a delegate, holds it as any note they may read
    'note_secretary_delegate': (['CANARY-NOTE-SECDEL-QX'], {'beneficiary', 'referent',
                                                           'delegate'}),
}
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
    'CommissionSessions': ['cli_sessions'], 'CommissionSession': ['cli_session'],
    'TransferRequest': ['transfer'], 'Letter': ['letter'],
    'StatisticsSpace': ['statistics'],
    'DistrictStatistics': ['statistics_district', 'statistics_district_other'],
    'District': ['district', 'district_other'], 'Districts': ['districts'],
    'Charter': ['charter'],
    'Health': ['health'],
}
OPEN = {'login', 'login-code', 'notice', 'notice-simple', 'accessibility', 'legal', 'brand.css',
        'brand-logo', 'language', 'activate', '', 'sso-login', 'sso-callback', 'sso-logged-out'}
#: the contexts of public routes of their own: the health check for monitoring
#: (portail/views/health.py, ``/health``)
OPEN_ROUTES = {'Health'}
#: the feed (issue 19): JSON for its API account; without a token, a 401
#: answer in JSON, never the login page
FEED_VIEWS = {'feed'}
#: the single sign-on's pages (portail/views/sso.py, tests/test_sso.py): public,
#: and "not found" for everyone while no identity provider is configured, as here
SSO_VIEWS = {'sso-login', 'sso-callback', 'sso-logged-out'}


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
            accept_charter(root, user)
        for login, roles in (('secretary3', ('secretary',)), ('admin2', ('admin',))):
            user = User(login, login.capitalize() + ' Issue13', roles, district)
            user.password_hash = root.users.find_login('worker1').password_hash
            user.password_changed_at, user.must_change_password = portal.clock.now(), False
            user.password_never_expires = True
            root.users.add_user(user)
            accept_charter(root, user)
        # stored data from before the rule: the model refuses it, so set it by hand
        admin2 = root.users.find_login('admin2')
        admin2.roles = ('admin', 'manager', 'secretary', 'worker')
        admin2.qualified_social_worker = True
        root.users.reindex(admin2)
        enrol_second_factor(admin2, portal.clock.now())
        _api, token = issue_token(root.users, API_LOGIN, 'SI', portal.clock.now())
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
                folder = root.cli[district]
                session = CommissionSession(today, uid['cli'], portal.clock.now())
                folder.session_folder(create=True).add(session)
                session.assign([folder[contract.cli_summary]])
                urls['cli_sessions'] = f'/cli/{district}/sessions/'
                urls['cli_session'] = f'/cli/{district}/sessions/{session.__name__}/'
        other = root.users.find_login('worker3').district
        urls['cli_district_other'] = f'/cli/{other}/'
        urls['cli'] = '/cli/'
        urls['statistics'] = '/statistics/'
        urls['statistics_district'] = f'/statistics/{district}/'
        urls['statistics_district_other'] = f'/statistics/{other}/'
        urls['districts'] = '/districts/'
        urls['charter'] = '/charter/'
        urls['health'] = '/health'
        urls['district'] = f'/districts/{district}/'
        urls['district_other'] = f'/districts/{other}/'
        from portail.models.request import RightsRequest

        rq = RightsRequest('rectification', 'CANARY-REQUEST-QX', 'online', uid['beneficiary'],
                           portal.clock.now())
        root.dossiers.add_request(dossier, rq)
        urls['request'] = f'{urls["dossier"]}requests/{rq.__name__}/'
        from portail.letters.model import Letter, add_letter

        letter = Letter('end_of_contract', ('contract', 'x'), 'download', uid['referent'],
                        portal.clock.now(), b'%PDF-1.7 CANARY-LETTER-QX')
        add_letter(dossier, letter)
        urls['letter'] = f'{urls["dossier"]}letters/{letter.__name__}/'
        urls['letter_pdf'] = urls['letter'] + 'letter.pdf'
        from portail.models.transfer import TransferRequest

        transfer = TransferRequest(uid['worker_other_district'], other, 'CANARY-TRANSFER-QX',
                                   portal.clock.now())
        root.dossiers.add_transfer(dossier, transfer)
        urls['transfer'] = f'{urls["dossier"]}transfers/{transfer.__name__}/'
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
    urls['api_token'] = token
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
        if user == 'api':
            browser.extra_environ['HTTP_AUTHORIZATION'] = f'Bearer {urls["api_token"]}'
        elif login:
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
            open_view = context == 'static' or (
                (context in OPEN_ROUTES or (context == 'PortalRoot' and name in OPEN))
                and permission == '__no_permission_required__')
            entitled = LOGGED_IN | {'anonymous'} if open_view else holders(permission, obj)
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
                    if allowed and context == 'PortalRoot' and name in SSO_VIEWS:
                        ok = status == 404
                    elif allowed:
                        ok = status in (200, 302, 303)
                    elif context == 'PortalRoot' and name in FEED_VIEWS and user == 'anonymous':
                        ok = status == 401 and 'error' in response.json
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
        page_of = {'identity': 'dossier', 'dossier_admin': 'dossier',
                   'letter': 'letter_pdf'}.get(group, group)
        for user in audience:
            page = 'cli_summary' if user == 'cli' else page_of  # the CLI reads its copy
            if user == 'worker_other_district' and group in ('identity', 'transfer'):
                page = 'transfer'  # their transfer request, never the dossier
            url = '/feed?limit=1000' if user == 'api' else urls[page]
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


# -- the domain rules, in sentences, against the matrix itself ---------------------

#: every local role an account of each role may ever hold, somewhere
#: (docs/security.md, "Local roles"); an administrator and the DPO hold none
MAY_HOLD = {
    R.WORKER: {L.REFERENT, L.DELEGATE, L.NOTES_DELEGATE, L.NOTE_AUTHOR, L.NOTE_READER,
               L.REFERENT_NOTE_READER, L.TRANSFER_REQUESTER},
    R.SECRETARY: {L.SECRETARY, L.ENTERING_SECRETARY},
    R.BENEFICIARY: {L.BENEFICIARY},
    R.CLI: {L.CLI, L.STATISTICS_READER},
    R.MANAGER: {L.MANAGER, L.STATISTICS_READER, pr.DEPARTMENT_MANAGER},
    R.ADMIN: set(),
    R.DPO: set(),
    R.API_FEED: set(),
}
#: the kinds of content that hold something of a person
FILE_KINDS = ('dossier', 'note', 'contract', 'cli_district', 'cli_session')


def may(role, permission, kind, states=None):
    """An account of ``role`` may hold ``permission`` on some object of
    ``kind`` (in one of ``states``, or in any)."""
    held = {Everyone, Authenticated, pr.ACTIVE, pr.role(role)} | MAY_HOLD[role]
    return any(permission in permissions
               for state, grants in matrix.MATRIX[kind].items()
               if states is None or state in states
               for principal, permissions in grants.items() if principal in held)


def who_may(permission, kind, states=None):
    return {role for role in R.ROLES if may(role, permission, kind, states)}


def states_granting(permission, kind):
    return {state for state, grants in matrix.MATRIX[kind].items()
            if any(permission in permissions for permissions in grants.values())}


def anything(role, kind):
    """Every permission an account of ``role`` may hold on ``kind``."""
    return {permission for permission in vars(P).values() if isinstance(permission, str)
            if may(role, permission, kind)}


DOMAIN_RULES = [
    ('a secretary never reads a note',
     lambda: not may(R.SECRETARY, P.VIEW_NOTE, 'note')),
    ('only social workers and the person read a note: never a manager, a CLI '
     'facilitator, an administrator or the DPO',
     lambda: who_may(P.VIEW_NOTE, 'note') == {R.WORKER, R.BENEFICIARY}),
    ("a CLI facilitator never reads a dossier's notes, nor the dossier, nor a contract",
     lambda: not any(may(R.CLI, p, k) for p, k in (
         (P.VIEW_NOTE, 'note'), (P.VIEW_NOTE_EXISTENCE, 'note'),
         (P.VIEW_DOSSIER, 'dossier'), (P.VIEW_CONTRACT, 'contract')))),
    ('a beneficiary never reads a note about someone else, only knows that it exists',
     lambda: not may(R.BENEFICIARY, P.VIEW_NOTE, 'note', {'third_party'})
     and may(R.BENEFICIARY, P.VIEW_NOTE_EXISTENCE, 'note', {'third_party'})),
    ('an administrator opens no dossier, no note, no contract, no CLI summary',
     lambda: not any(anything(R.ADMIN, kind) for kind in FILE_KINDS)),
    ('the DPO opens no file either',
     lambda: not any(anything(R.DPO, kind) for kind in FILE_KINDS)),
    ('only an account administrator manages accounts',
     lambda: {role for kind in matrix.KINDS
              for role in who_may(P.MANAGE_ACCOUNTS, kind)} == {R.ADMIN}),
    ('a secretary never reads a draft, and never changes a contract',
     lambda: not may(R.SECRETARY, P.VIEW_CONTRACT, 'contract', {'draft'})
     and not may(R.SECRETARY, P.EDIT_CONTRACT, 'contract')),
    ('only the beneficiary signs online; the référent records a paper signature',
     lambda: who_may(P.SIGN, 'contract') == {R.BENEFICIARY}
     and who_may(P.RECORD_SIGNATURE, 'contract') == {R.WORKER}),
    ('a contract is edited only as a draft, and only by its social workers',
     lambda: states_granting(P.EDIT_CONTRACT, 'contract') == {'draft'}
     and who_may(P.EDIT_CONTRACT, 'contract') == {R.WORKER}),
    ('a closed contract can only be read',
     lambda: set().union(*matrix.grants('contract', 'closed').values()) == {P.VIEW_CONTRACT}),
    ('the CLI gives its opinion on a shared contract only',
     lambda: states_granting(P.CLI_OPINION, 'contract') == {'shared'}
     and who_may(P.CLI_OPINION, 'contract') == {R.CLI}),
    ("only the district's CLI facilitators manage its commission sessions",
     lambda: {role for kind in matrix.KINDS
              for role in who_may(P.MANAGE_CLI_SESSIONS, kind)} == {R.CLI}
     and {principal for kind in matrix.MATRIX.values() for grants in kind.values()
          for principal, permissions in grants.items()
          if P.MANAGE_CLI_SESSIONS in permissions} == {L.CLI}),
    ("a commission session shows the CLI what its summaries show it, and no more: "
     'no dossier, no contract, no note',
     lambda: anything(R.CLI, 'cli_session') == {P.VIEW_CLI_WORKLIST, P.CLI_OPINION,
                                                 P.MANAGE_CLI_SESSIONS}),
    ('nobody runs by hand what only the portal runs',
     lambda: not any(P.SYSTEM_ONLY in permissions for kind in matrix.MATRIX.values()
                     for grants in kind.values() for permissions in grants.values())),
    ("one district's statistics are read by its facilitators and managers, never by "
     'the DPO (the département figures would give its small counts away)',
     lambda: who_may(P.READ_STATISTICS, 'statistics_district') == {R.CLI, R.MANAGER}),
    ('a delegate stands in for the référent but names no other delegate',
     lambda: P.MANAGE_DELEGATION not in matrix.grants('dossier')[L.DELEGATE]
     and P.MANAGE_DELEGATION in matrix.grants('dossier')[L.REFERENT]),
    ("a transfer request is answered only by the dossier's référent or a qualified manager "
     'of its district, never by a delegate, and only while open',
     lambda: {p for p, perms in matrix.grants('transfer', 'open').items()
              if P.ANSWER_TRANSFER in perms} == {L.REFERENT, L.MANAGER}
     and states_granting(P.ANSWER_TRANSFER, 'transfer') == {'open'}),
    ('the worker who asks for a transfer reads the request, never the dossier through it',
     lambda: matrix.grants('transfer', 'open')[L.TRANSFER_REQUESTER] == {P.VIEW_TRANSFER}
     and all(L.TRANSFER_REQUESTER not in grants for grants in matrix.MATRIX['dossier'].values())),
    ('only a social worker asks for a transfer',
     lambda: who_may(P.REQUEST_TRANSFER, 'dossiers') == {R.WORKER}),
    ('only a social worker has a caseload to search (issue 16); its rows are their own '
     'dossiers and those delegated to them',
     lambda: who_may(P.VIEW_CASELOAD, 'dossiers') == {R.WORKER}),
    ('only a social worker entrusts their own dossiers to a colleague during an absence',
     lambda: who_may(P.MANAGE_OWN_ABSENCE, 'root') == {R.WORKER}),
    ('only the person sees who consulted their dossier',
     lambda: who_may(P.VIEW_DOSSIER_JOURNAL, 'dossier') == {R.BENEFICIARY}),
    ("only a district's manager who is a qualified social worker moves its caseloads, "
     'the one manager who may also open its dossiers',
     lambda: who_may(P.MANAGE_CASELOADS, 'district') == {R.MANAGER}
     and matrix.grants('district')[L.MANAGER] == {P.MANAGE_CASELOADS}
     and P.VIEW_DOSSIER in matrix.grants('dossier')[L.MANAGER]),
    ('only the API account of the departmental information system reads the feed, and '
     'it holds nothing else, anywhere (issue 19)',
     lambda: {principal for kind in matrix.MATRIX.values() for grants in kind.values()
              for principal, permissions in grants.items()
              if P.READ_FEED in permissions} == {pr.role(R.API_FEED)}
     and {p for kind in matrix.MATRIX.values() for grants in kind.values()
          for p in grants.get(pr.role(R.API_FEED), ())} == {P.READ_FEED}
     and R.API_FEED not in R.ROLES),
]


@pytest.mark.parametrize('sentence,holds', DOMAIN_RULES, ids=[s for s, _ in DOMAIN_RULES])
def test_the_matrix_says_what_the_domain_says(sentence, holds):
    assert holds(), sentence


def test_what_is_not_granted_is_denied():
    """Every ACL ends with DENY_ALL, except those of the few kinds that let
    their parent answer, whose lineage reaches the root's, which ends with it."""
    for kind, states in matrix.MATRIX.items():
        for state in states:
            acl = matrix.acl(kind, state)
            assert (acl[-1] == DENY_ALL) is (kind not in matrix.INHERITING), kind
    assert matrix.acl('root')[-1] == DENY_ALL
