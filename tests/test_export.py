"""Portability and copy (docs/domain.md, *Rights of the person*): the JSON document and the
printable page."""
import json
import re
from datetime import date, datetime

from portail.timefmt import format_datetime
from tests.conftest import find_dossier, logged_in
from tests.test_journal import entries

TOP = {'format': str, 'version': int, 'generated_at': str, 'dossier': str, 'identity': dict,
       'administrative': dict, 'district': str, 'referent': str, 'contracts': list,
       'notes': list, 'access_journal': list}
CONTRACT = {'id', 'state', 'version', 'start_date', 'duration_months', 'end_date', 'themes',
            'theme_labels', 'actions', 'commitments', 'review_date', 'history', 'consents',
            'earlier_versions', 'cli_summary', 'cli_opinion'}


def martin_url(portal):
    with portal.root() as root:
        return f'/dossiers/{find_dossier(root, "Martin").__name__}/'


def test_the_json_follows_its_documented_structure(portal):
    url = martin_url(portal)
    beneficiary = logged_in(portal, 'beneficiary1')
    beneficiary.get(url)
    response = beneficiary.get(url + 'export.json')
    assert response.content_type == 'application/json'
    assert 'attachment' in response.headers['Content-Disposition']
    assert response.headers['Cache-Control'] == 'no-store'
    data = json.loads(response.text)
    assert set(data) == set(TOP)
    for key, kind in TOP.items():
        assert isinstance(data[key], kind), key
    assert data['format'] == 'portail-export' and data['version'] == 1
    datetime.fromisoformat(data['generated_at'])
    assert data['identity'] == {'last_name': 'Martin', 'first_names': 'Bernard',
                                'birth_date': '1979-03-14'}
    assert data['administrative']['address'] == '12 rue des Lilas, 59000 Lille'
    assert len(data['contracts']) == 2
    for contract in data['contracts']:
        assert set(contract) == CONTRACT
        date.fromisoformat(contract['start_date'])
        for line in contract['history']:
            datetime.fromisoformat(line['at'])
        assert {c['kind'] for c in contract['consents']} <= {'notice', 'processing', 'share_cli'}
    shared = next(c for c in data['contracts'] if c['state'] == 'shared')
    assert shared['cli_summary']['reference'].startswith('R-')
    assert set(shared['cli_summary']['fields']) == {'themes', 'duration_months', 'actions'}
    notes = {n['third_party']: n for n in data['notes']}
    assert notes[False]['text'].startswith('Motivé')
    assert notes[True]['text'] is None and notes[True]['author'] == 'Wanda Travailleuse'
    assert 'sœur' not in response.text
    assert any(line['action'] for line in data['access_journal'])


def test_the_referent_produces_the_same_copy(portal):
    url = martin_url(portal)
    mine = json.loads(logged_in(portal, 'worker1').get(url + 'export.json').text)
    theirs = json.loads(logged_in(portal, 'beneficiary1').get(url + 'export.json').text)
    for key in ('identity', 'administrative', 'contracts', 'notes'):
        assert mine[key] == theirs[key]
    assert 'sœur' not in json.dumps(mine, ensure_ascii=False)  # third party, even for him


def test_the_printable_copy(portal):
    url = martin_url(portal)
    page = logged_in(portal, 'beneficiary1').get(url + 'copy')
    assert 'rue des Lilas' in page.text and 'Motivé pour reprendre' in page.text
    assert 'sœur' not in page.text
    # in words, never the codes of the JSON document; dates as the rest of the portal
    text = ' '.join(page.html.find('main').get_text(' ').split())
    for code in ('shared', 'given', 'paper', 'share_cli', 'processing', 'entered', 'in_person'):
        assert not re.search(rf'\b{code}\b', text), code
    assert not re.search(r'\d{4}-\d\d-\d\d', text)  # no ISO date
    assert not re.search(r'T\d\d:\d\d', text)  # no ISO time
    assert 'Date de naissance 14/03/1979' in text
    assert 'saisie informatique — donné — sur papier — Wanda Travailleuse' in text
    with portal.root() as root:
        shared = next(c for c in find_dossier(root, 'Martin').contracts.values()
                      if c.state == 'shared')
        start = shared.start_date
    assert f'Contrat débutant le {start:%d/%m/%Y} — partagé avec la CLI' in text
    assert 'Partagé avec la CLI Durée (mois) 6 Thèmes emploi' in text  # what the CLI holds
    # the journal in the person's words, the times in local time
    assert 'vous' in text and 'contrat du' in text
    copy_entry = [e for e in entries(portal, url.strip('/').split('/')[1])
                  if e.action == 'copy'][-1]
    at = datetime.fromisoformat(copy_entry.at)
    assert format_datetime(at) in text
    for login in ('secretary1', 'manager2', 'cli1', 'admin1', 'dpo1', 'worker2'):
        browser = logged_in(portal, login)
        assert browser.get(url + 'copy', status=403)
        assert browser.get(url + 'export.json', status=403)
