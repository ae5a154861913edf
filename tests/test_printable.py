"""The printable contract (issue 8): the paper document the beneficiary signs,
with the information notice and the consents to tick, in French; opened by
those who may read the contract and nobody else."""
import pytest

from portail.i18n import _
from tests.conftest import find_dossier, logged_in
from tests.test_journal import entries


def contract_url(portal, last_name, state):
    with portal.root() as root:
        dossier = find_dossier(root, last_name)
        contract = next(c for c in dossier.contracts.values() if c.state == state)
        return f'/dossiers/{dossier.__name__}/contracts/{contract.__name__}/'


def test_the_contract_page_links_to_the_printable_contract(portal):
    url = contract_url(portal, 'Durand', 'draft')
    page = logged_in(portal, 'worker1').get(url)
    link = page.html.find('a', string=portal.fr(_('The contract to print and sign on paper')))
    assert link['href'].endswith(url + 'print')


def test_the_printable_contract_holds_the_contract_notice_consents_and_signatures(portal):
    url = contract_url(portal, 'Durand', 'draft')
    page = logged_in(portal, 'worker1').get(url + 'print')
    html = page.html
    assert html.find('h1').get_text(strip=True) == "Contrat d'insertion"
    assert html.find('html')['lang'] == 'fr'
    text = ' '.join(page.html.get_text(' ').split())
    # the parties and the contract's fields
    assert 'DURAND Aïcha, né(e) le 02/07/1988' in text
    assert 'Wanda Travailleuse — Circonscription Nord' in text
    assert "Inscription à un atelier de recherche d'emploi" in text
    assert 'emploi, mobilité' in text
    assert 'Durée (mois) 6' in text
    # the information notice is the text of the public /notice page
    assert "Notice d'information : comment vos données sont traitées" in text
    notice = logged_in(portal, 'worker1').get('/notice').html.find('main')
    for paragraph in notice.find_all('li'):
        assert ' '.join(paragraph.get_text(' ').split()) in text
    # the consents to tick, one box per choice, and the signature lines
    consents = html.find(id='consents-title').find_parent('section')
    assert len(consents.select('.tickbox')) == 5
    consent_text = ' '.join(consents.get_text(' ').split())
    assert "J'accepte que ce contrat soit saisi dans le système informatique" in consent_text
    assert 'Je refuse : le contrat est conservé sur papier uniquement.' in consent_text
    assert 'transmis à la CLI, sous une référence pseudonyme' in consent_text
    assert 'Je refuse : la CLI ne reçoit rien me concernant.' in consent_text
    signatures = html.find(id='signatures-title').find_parent('section')
    assert len(signatures.select('.signature-box')) == 2
    assert 'Fait à' in signatures.get_text()
    # a draft has no signed fingerprint yet
    assert 'Empreinte du texte signé' not in text


def test_a_signed_contract_prints_its_fingerprint(portal):
    url = contract_url(portal, 'Petit', 'signed')
    with portal.root() as root:
        fingerprint = next(c for c in find_dossier(root, 'Petit').contracts.values()
                           if c.state == 'signed').fingerprint
    page = logged_in(portal, 'worker1').get(url + 'print')
    assert page.html.find('code', class_='fingerprint').get_text() == fingerprint


def test_a_contract_kept_on_paper_prints_without_content(portal):
    url = contract_url(portal, 'Moreau', 'paper')
    page = logged_in(portal, 'worker1').get(url + 'print')
    assert portal.fr(_('This contract is kept on paper only: its content is not held in '
                       'the portal.')) in page.text
    assert "Inscription à un atelier" not in page.text


def test_the_print_stylesheet_drops_the_menus(portal):
    css = logged_in(portal, 'worker1').get('/static/portail.css').text
    media = css[css.index('@media print'):]
    assert '.screen-only' in media and 'header.site' in media and '@page' in media


def test_the_printable_contract_is_in_english_for_an_english_user(portal):
    url = contract_url(portal, 'Durand', 'draft')
    browser = logged_in(portal, 'worker1')
    browser.post_csrf('/language', {'lang': 'en', 'came_from': url + 'print'})
    page = browser.get(url + 'print')
    assert page.html.find('h1').get_text(strip=True) == 'Insertion contract'
    assert 'I refuse: the CLI receives nothing about me.' in page.text


@pytest.mark.parametrize('login', ['worker1', 'manager2', 'beneficiary1', 'secretary1'])
def test_those_who_read_the_contract_may_print_it(portal, login):
    url = contract_url(portal, 'Martin', 'shared')
    page = logged_in(portal, login).get(url + 'print')
    assert 'MARTIN Bernard' in page.text


@pytest.mark.parametrize('login', ['worker3', 'worker2', 'secretary2', 'cli1', 'admin1',
                                   'dpo1', 'manager1', 'beneficiary2'])
def test_nobody_else_may_print_it(portal, login):
    url = contract_url(portal, 'Martin', 'shared')
    page = logged_in(portal, login).get(url + 'print', status=403)
    assert 'MARTIN' not in page.text
    assert 'Inscription à un atelier' not in page.text


def test_anonymous_is_sent_to_login(portal):
    url = contract_url(portal, 'Martin', 'shared')
    response = portal.browser().get(url + 'print', status=302)
    assert response.location.endswith('/login')


def test_a_secretary_may_not_print_a_draft(portal):
    url = contract_url(portal, 'Durand', 'draft')
    logged_in(portal, 'secretary1').get(url + 'print', status=403)


def test_printing_is_journaled_as_a_read(portal):
    url = contract_url(portal, 'Durand', 'draft')
    dossier, contract = url.strip('/').split('/')[1::2]
    before = len(entries(portal, dossier))
    logged_in(portal, 'worker1').get(url + 'print')
    added = entries(portal, dossier)[before:]
    assert [(e.action, e.object, e.level) for e in added] == [
        ('read', f'contract:{contract}', 2)]
