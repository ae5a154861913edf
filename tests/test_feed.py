"""The feed to the departmental information system (issue 19; docs/feed.md):
its API account and bearer token, the items after a cursor, the fields they
carry (and those they never carry), the journal of each delivery, and the
``portail-feed`` command."""
import json
from datetime import date

import pytest

from portail.demo import CONTENT, DEMO_PASSWORD, ActingAs, contract_in_state
from portail.feed.tokens import issue_token, revoke_token
from portail.i18n import _
from portail.journal.model import JOURNAL_DB, ROOT_KEY
from portail.models.dossier import Dossier
from portail.models.note import Note
from portail.workflow.contract import CONTRACT_WORKFLOW
from tests.conftest import find_dossier, logged_in

API_LOGIN = 'si-departement'
HUMANS = ('worker1', 'secretary1', 'cli1', 'manager1', 'manager2', 'director1', 'admin1',
          'dpo1', 'beneficiary1')


def make_token(portal, login=API_LOGIN):
    with portal.root() as root:
        return issue_token(root.users, login, 'SI du département', portal.clock.now())[1]


@pytest.fixture
def token(portal):
    return make_token(portal)


def bearer(token):
    return {'Authorization': f'Bearer {token}'}


def feed(portal, token, after=None, limit=None, status=200):
    query = '&'.join(f'{k}={v}' for k, v in (('after', after), ('limit', limit)) if v is not None)
    return portal.browser().get(f'/feed?{query}', headers=bearer(token), status=status)


def last_number(portal, token):
    """The cursor after every item so far (the demo's entries included)."""
    cursor = 0
    while True:
        answer = feed(portal, token, after=cursor, limit=1000).json
        cursor = answer['cursor']
        if not answer['more']:
            return cursor


def move(portal, last_name, transition, state, **options):
    """Run ``transition`` on the dossier's contract in ``state``."""
    with portal.root() as root:
        dossier = find_dossier(root, last_name)
        contract = next(c for c in dossier.contracts.values() if c.state == state)
        CONTRACT_WORKFLOW.execute(contract, ActingAs(portal.registry, root, dossier.referent),
                                  transition, **options)
        return contract.__name__


# -- the token -----------------------------------------------------------------


def test_the_token_opens_the_feed(portal, token):
    answer = feed(portal, token).json
    assert set(answer) == {'items', 'cursor', 'more'}
    assert answer['items'] and answer['cursor'] == answer['items'][-1]['seq']


def test_missing_wrong_and_revoked_tokens_are_refused(portal, token, security):
    browser = portal.browser()
    for headers, reason in (({}, 'missing'), (bearer('nope'), 'unknown'),
                            ({'Authorization': 'Bearer '}, 'missing'),
                            (bearer(token + 'x'), 'unknown')):
        response = browser.get('/feed', headers=headers, status=401)
        assert response.content_type == 'application/json'
        assert response.json['error'] == portal.fr(
            _('A valid token of the API account is required.'))
        assert security.last('feed.token-refused')['reason'] == reason
    assert feed(portal, token).status_int == 200
    with portal.root() as root:
        revoke_token(root.users, API_LOGIN)
    feed(portal, token, status=401)
    assert security.of('feed.token-refused')[-1] == (None, 'unknown')
    # a new token replaces the old one (rotation), which stays refused
    fresh = make_token(portal)
    feed(portal, fresh)
    feed(portal, token, status=401)
    with portal.root() as root:
        root.users.find_login(API_LOGIN).disabled = True
    feed(portal, fresh, status=401)
    assert security.of('feed.token-refused')[-1] == (None, 'disabled')


def test_a_token_ignores_the_session_it_comes_with(portal, token):
    browser = logged_in(portal, 'worker1')
    assert browser.get('/feed', headers=bearer('nope'), status=401)
    assert browser.get('/', headers=bearer(token), status=403).json['error']
    assert browser.get('/feed', headers=bearer(token)).json['items']


def test_the_api_account_reaches_nothing_else(portal, token, security):
    with portal.root() as root:
        martin = find_dossier(root, 'Martin')
        uid = root.users.find_login(API_LOGIN).uid
    browser = portal.browser()
    for url in ('/', '/dossiers/', f'/dossiers/{martin.__name__}/', '/users/', '/journal',
                '/statistics/', '/charter/', '/change-password'):
        response = browser.get(url, headers=bearer(token), status='*')
        assert response.status_int in (403, 404), url
        assert 'Martin' not in response.text
    assert security.last('access.denied')['user'] == uid
    # a POST is refused too (its CSRF check, or the matrix)
    assert browser.post('/logout', headers=bearer(token), status='*').status_int in (400, 403)


def test_the_api_account_cannot_log_in(portal, token):
    browser = portal.browser()
    for password in (DEMO_PASSWORD, token, ''):
        page = browser.login(API_LOGIN, password)
        assert page.request.path == '/login'
    assert browser.get('/feed', status=401)


def test_a_person_account_cannot_become_an_api_account(portal):
    with portal.root() as root, pytest.raises(ValueError):
        issue_token(root.users, 'worker1', 'x', portal.clock.now())


def test_every_person_is_refused_the_feed(portal, security):
    for login in HUMANS:
        response = logged_in(portal, login).get('/feed', status=403)
        assert response.json == {'error': portal.fr(_('This account may not read the feed.'))}
    assert len(security.events('access.denied')) == len(HUMANS)


# -- the items, in order, after a cursor ------------------------------------------


def test_entered_amended_closed_contracts_appear_in_order(portal, token):
    cursor = last_number(portal, token)
    entered = move(portal, 'Petit', 'enter', 'signed')       # signed → entered
    amended = move(portal, 'Leroy', 'amend', 'entered')       # entered → draft
    closed = move(portal, 'Bonnet', 'close', 'entered')       # entered → closed
    move(portal, 'Durand', 'close', 'draft')                # a draft: the system never had it
    answer = feed(portal, token, after=cursor).json
    assert [(i['contract'], i['event']) for i in answer['items']] == [
        (entered, 'entered'), (amended, 'amended'), (closed, 'closed')]
    assert [i['seq'] for i in answer['items']] == [cursor + 1, cursor + 2, cursor + 3]
    assert answer['cursor'] == cursor + 3 and answer['more'] is False
    assert answer['items'][1]['state'] == 'draft'
    assert answer['items'][2]['state'] == 'closed'
    # nothing new: the cursor stays where it is
    assert feed(portal, token, after=cursor + 3).json == {
        'items': [], 'cursor': cursor + 3, 'more': False}


def test_a_cursor_continues_exactly_where_it_stopped(portal, token):
    everything = []
    cursor = 0
    while True:
        answer = feed(portal, token, after=cursor, limit=7).json
        assert len(answer['items']) <= 7
        everything.extend(answer['items'])
        cursor = answer['cursor']
        if not answer['more']:
            break
    numbers = [i['seq'] for i in everything]
    assert numbers == list(range(1, len(numbers) + 1))  # none repeated, none skipped
    with portal.root() as root:
        log = root._p_jar.root()['portail_feed_log']
        assert len(log.items) == len(numbers) == log.last
    # items that come in the meantime follow on
    move(portal, 'Petit', 'enter', 'signed')
    answer = feed(portal, token, after=cursor, limit=7).json
    assert [i['seq'] for i in answer['items']] == [cursor + 1]


def test_wrong_cursor_or_limit(portal, token):
    for query, field in (('after=x', 'after'), ('after=-1', 'after'), ('after=%D9%A3', 'after'),
                         ('after=+5', 'after'), ('limit=0', 'limit'),
                         ('limit=1001', 'limit'), ('limit=ten', 'limit')):
        response = portal.browser().get(f'/feed?{query}', headers=bearer(token), status=400)
        assert response.content_type == 'application/json'
        assert ('curseur' if field == 'after' else 'limite') in response.json['error']
    assert len(feed(portal, token, limit=1000).json['items']) <= 1000


# -- what an item carries, and never carries ---------------------------------------

CANARIES = ('CANARY-ADDRESS-QX', 'CANARY-PHONE-QX', 'canary-mail-qx@example.org',
            'CANARY-NOTE-QX', 'CANARY-ACTIONS-QX', 'CANARY-COMMIT-QX', 'CANARY-CONSENT-QX')


def canary_dossier(portal):
    with portal.root() as root:
        worker = root.users.find_login('worker1')
        dossier = Dossier(worker.district, worker.uid)
        dossier.last_name, dossier.first_names = 'Canari', 'Jeanne Marie'
        dossier.birth_date = date(1980, 2, 3)
        dossier.address, dossier.phone = 'CANARY-ADDRESS-QX', 'CANARY-PHONE-QX'
        dossier.email, dossier.household_size = 'canary-mail-qx@example.org', 4
        root.dossiers.add_dossier(dossier)
        dossier.external_id = 'SI-4711'  # as portail-import leaves it
        dossier.notes.add(Note(worker.uid, 'CANARY-NOTE-QX', False, portal.clock.now()))
        values = dict(CONTENT, actions='CANARY-ACTIONS-QX', commitments='CANARY-COMMIT-QX',
                      start_date=date(2026, 11, 1), duration_months=6,
                      review_date=date(2027, 2, 1))
        contract = contract_in_state(root, portal.registry, dossier, values, 'signed')
        contract.consents[-1] = type(contract.consents[-1])(
            'processing', 'given', portal.clock.now(), 'paper', worker.uid)
        from portail.workflow.consents import record_consent

        record_consent(ActingAs(portal.registry, root, worker.uid), contract, 'share_cli',
                       'refused', 'paper', 'CANARY-CONSENT-QX')
        CONTRACT_WORKFLOW.execute(contract, ActingAs(portal.registry, root, worker.uid), 'enter')
        return dossier.__name__, contract.__name__, dossier.district


def test_the_minimal_fields_and_nothing_else(portal, token):
    cursor = last_number(portal, token)
    dossier, contract, district = canary_dossier(portal)
    response = feed(portal, token, after=cursor)
    [item] = response.json['items']
    assert item == {
        'seq': cursor + 1, 'event': 'entered', 'at': portal.clock.now().isoformat(),
        'dossier': dossier, 'contract': contract, 'version': 1, 'state': 'entered',
        'district': district, 'external_id': 'SI-4711', 'last_name': 'Canari',
        'first_names': 'Jeanne Marie',
        'birth_date': '1980-02-03', 'start_date': '2026-11-01', 'duration_months': 6,
        'end_date': '2027-05-01', 'review_date': '2027-02-01'}
    everything = portal.browser().get('/feed?limit=1000', headers=bearer(token)).text
    for text in CANARIES:
        assert text.lower() not in everything.lower()
        assert text.lower() not in response.text.lower()


def test_a_contract_kept_on_paper_goes_out_without_identity(portal, token):
    cursor = last_number(portal, token)
    dossier, contract, _district = canary_dossier(portal)
    with portal.root() as root:
        found = root.dossiers[dossier].contracts[contract]
        CONTRACT_WORKFLOW.execute(found, ActingAs(portal.registry, root, 'system'),
                                  'withdraw_processing', system=True)
    items = feed(portal, token, after=cursor).json['items']
    assert [i['event'] for i in items] == ['entered', 'withdrawn']
    for item in items:
        assert item['state'] == 'paper'
        assert item['last_name'] is item['birth_date'] is item['start_date'] is None
        assert item['external_id'] is None


# -- every delivery journaled on its dossier -----------------------------------------


def chain_actions(portal, dossier_id):
    with portal.root() as root:
        journal = root._p_jar.get_connection(JOURNAL_DB).root()[ROOT_KEY]
        chain = journal.chains.get(dossier_id)
        return [(e.action, e.object, e.user) for e in chain.values()]


def test_each_delivery_is_journaled_on_its_dossier(portal, token):
    cursor = last_number(portal, token)
    with portal.root() as root:
        martin = find_dossier(root, 'Martin').__name__
        api = root.users.find_login(API_LOGIN).uid
    contract = move(portal, 'Martin', 'amend', 'shared')  # the shared contract
    before = [a for a in chain_actions(portal, martin) if a[0] == 'transmission:feed']
    assert feed(portal, token, after=cursor).json['items'][0]['contract'] == contract
    sent = [a for a in chain_actions(portal, martin) if a[0] == 'transmission:feed']
    assert sent[len(before):] == [('transmission:feed', f'contract:{contract}', api)]
    # read again, delivered again, journaled again
    feed(portal, token, after=cursor)
    sent = [a for a in chain_actions(portal, martin) if a[0] == 'transmission:feed']
    assert len(sent) == len(before) + 2
    # the person sees it in their journal, in French
    page = logged_in(portal, 'beneficiary1').get(f'/dossiers/{martin}/journal')
    assert portal.fr(_("transmission to the département's information system")) in page.text
    assert portal.fr(_("the département's information system")) in page.text


# -- the command -----------------------------------------------------------------------


def test_the_command_prints_the_feed_and_makes_tokens(tmp_path, capsys):
    from portail.scripts import feed as command
    from portail.scripts import init
    from tests.test_scripts import INI

    ini = tmp_path / 'site.ini'
    ini.write_text(INI.format(var=tmp_path))
    assert init.main([str(ini), '--demo']) == 0
    capsys.readouterr()
    assert command.main(['create-token', str(ini), 'si']) == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    assert len(token) >= 43
    assert command.main([str(ini), '--after', '0', '--limit', '2']) == 0
    answer = json.loads(capsys.readouterr().out)
    assert [i['seq'] for i in answer['items']] == [1, 2] and answer['more'] is True
    assert command.main([str(ini), '--after', '2', '--limit', '1']) == 0
    assert [i['seq'] for i in json.loads(capsys.readouterr().out)['items']] == [3]
    with pytest.raises(SystemExit):
        command.main([str(ini), '--after', 'x'])
    assert command.main(['create-token', str(ini), 'worker1']) == 1
    assert command.main(['revoke-token', str(ini), 'si']) == 0
    assert command.main(['revoke-token', str(ini), 'nobody']) == 1
    from portail.scripts import application, portal_root

    with application(str(ini)) as registry, portal_root(registry, 'check') as root:
        user = root.users.find_login('si')
        assert user.feed_token_hash is None and user.password_hash is None



def test_the_administrator_sees_the_api_account_but_cannot_change_its_role(portal, token):
    """The administrators' form does not offer the feed's role: it is not
    shown for the API account (saving it would take the role away), while
    disabling the account stays possible and refuses the token."""
    admin = logged_in(portal, 'admin1')
    with portal.root() as root:
        uid = root.users.find_login(API_LOGIN).uid
    page = admin.get(f'/users/{uid}')
    assert 'portail-feed' in page.text and 'form' not in page.forms
    # a form posted anyway (crafted) changes nothing
    page = admin.post_csrf(f'/users/{uid}', {'fullname': 'x', 'roles': 'worker'})
    assert 'portail-feed' in page.text
    with portal.root() as root:
        assert root.users.find_login(API_LOGIN).roles == ('api_feed',)
    admin.get(f'/users/{uid}/disable').forms['confirm'].submit().follow()
    feed(portal, token, status=401)
