"""The beneficiary's home, built for a phone (issue 17): "À faire" first (a
contract to sign, a consent asked, an answer received), then who follows
them and the next review, then the contracts in sections the person opens."""
from tests.conftest import find_dossier, logged_in
from tests.test_contracts import consent_online, new_contract, run_transition
from tests.test_requests import answer, make_request


def to_do(page):
    section = page.html.find(id='todo')
    return [(' '.join(li.get_text(' ').split()), li.find('a')['href'])
            for li in section.select('li')]


def martin_url(portal):
    with portal.root() as root:
        return f'/dossiers/{find_dossier(root, "Martin").__name__}/'


def test_what_the_person_has_to_do_comes_first_and_leaves_once_done(portal):
    url = martin_url(portal)
    person = logged_in(portal, 'beneficiary1')
    home = person.get('/')
    assert 'Rien à faire pour le moment.' in home.html.find(id='todo').get_text()
    worker = logged_in(portal, 'worker1')
    contract = new_contract(worker, url).location.replace('http://localhost', '')
    with portal.root() as root:
        start = find_dossier(root, 'Martin').contracts[contract.strip('/').rsplit('/', 1)[1]] \
            .start_date

    items = to_do(person.get('/'))
    assert items == [(f'Un contrat attend votre signature : Contrat du {start:%d/%m/%Y}. '
                      'Lire et signer', f'http://localhost{contract}transition?name=sign')]
    run_transition(person, contract, 'sign', read='yes')
    items = to_do(person.get('/'))
    assert items == [("On vous demande votre accord : le contrat peut-il être enregistré dans "
                      f"l'ordinateur ? Contrat du {start:%d/%m/%Y}. Donner ma réponse",
                      f'http://localhost{contract}')]
    consent_online(person, contract, 'processing', 'given')
    assert to_do(person.get('/')) == []

    make_request(person, url, 'rectification', 'Mon adresse a changé.')
    assert to_do(person.get('/')) == []  # waiting: nothing for the person to do
    with portal.root() as root:
        rq = next(iter(find_dossier(root, 'Martin').requests.values()))
        rq_url = f'{url}requests/{rq.__name__}/'
    answer(worker, rq_url, 'accepted', 'Adresse corrigée.')
    today = portal.clock.now()
    items = to_do(person.get('/'))
    assert items == [(f'Votre demande du {today:%d/%m/%Y} a reçu une réponse. Lire la réponse',
                      f'http://localhost{rq_url}')]
    portal.clock.advance(days=31)
    assert to_do(logged_in(portal, 'beneficiary1').get('/')) == []


def test_who_follows_the_person_and_the_contracts_folded(portal):
    with portal.root() as root:
        contracts = find_dossier(root, 'Martin').contracts.values()
        shared = next(c for c in contracts if c.state == 'shared')
        closed = next(c for c in contracts if c.state == 'closed')
        review, started, ended = shared.review_date, shared.start_date, closed.start_date
    home = logged_in(portal, 'beneficiary1').get('/')
    facts = ' '.join(home.html.find(id='referent-title').find_parent('section')
                     .get_text(' ').split())
    assert 'Votre référent Wanda Travailleuse' in facts
    assert 'Service Circonscription Nord' in facts
    assert '2 place de la Gare, 59000 Lille' in facts and '03 20 00 00 01' in facts
    assert home.html.find('a', href='tel:0320000001')
    assert f'Prochain bilan {review:%d/%m/%Y}' in facts
    folded = home.html.select('#own-title ~ details')
    assert len(folded) == 2 and not any(d.has_attr('open') for d in folded)
    assert [' '.join(d.summary.get_text(' ').split()) for d in folded] == [
        f'Contrat du {started:%d/%m/%Y} — partagé avec la CLI',
        f'Contrat du {ended:%d/%m/%Y} — clos']


def test_another_beneficiary_reads_only_their_own(portal):
    home = logged_in(portal, 'beneficiary2').get('/')
    assert 'MARTIN' not in home.text and 'Wanda Travailleuse' not in home.text
    assert 'Circonscription Sud' in home.text


def test_the_administrator_keeps_how_to_reach_each_district(portal):
    admin = logged_in(portal, 'admin1')
    page = admin.get('/users/')
    page = admin.get(page.html.find('a', string=lambda s: s and 'Circonscriptions' in s)['href'])
    rows = [' '.join(tr.get_text(' ').split()) for tr in page.html.select('tbody tr')]
    assert any(r.startswith('Circonscription Nord') and '03 20 00 00 01' in r for r in rows)
    link = page.html.find('a', string='Modifier les coordonnées de Circonscription Nord')
    form = admin.get(link['href']).forms['form']
    form['phone'] = 'pas un numéro'
    assert 'Chiffres, espaces et + uniquement.' in form.submit(status=400).text
    form = admin.get(link['href']).forms['form']
    form['phone'] = '03 20 99 99 99'
    form['address'] = '1 rue Neuve, 59000 Lille'
    assert 'La circonscription est enregistrée.' in form.submit().follow().text
    home = logged_in(portal, 'beneficiary1').get('/')
    facts = ' '.join(home.html.find(id='referent-title').find_parent('section')
                     .get_text(' ').split())
    assert '03 20 99 99 99' in facts and '1 rue Neuve, 59000 Lille' in facts
    # nobody else keeps them
    for login in ('worker1', 'manager2', 'director1', 'secretary1', 'dpo1', 'beneficiary1'):
        logged_in(portal, login).get(link['href'].replace('http://localhost', ''), status=403)
        logged_in(portal, login).get('/districts/', status=403)
