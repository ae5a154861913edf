"""Every page of the beneficiary's space (docs/domain.md, *Rights of the person*), in plain
French."""
import re

from tests.conftest import logged_in


def test_every_page_of_the_space(portal):
    beneficiary = logged_in(portal, 'beneficiary1')
    home = beneficiary.get('/')
    assert 'Mes contrats' in home.text
    link = home.html.find('a', string=re.compile('Mon dossier'))
    dossier = beneficiary.get(link['href'])
    text = dossier.text
    # identity and administrative data, contracts, notes (and a third-party note's existence)
    for expected in ('MARTIN Bernard', '12 rue des Lilas', 'Contrats', 'Notes de travail',
                     "Il s'agit de votre propre dossier"):
        assert expected in text, expected
    assert 'sœur' not in text
    pages = {a.text.strip(): a['href'] for a in dossier.html.select('main a[href]')}
    visited, seen = 0, ''
    for label, href in pages.items():
        if not href.startswith('http://localhost/dossiers/'):
            continue
        page = beneficiary.get(href)
        assert page.status_int == 200, label
        assert '<html lang="fr">' in page.text
        visited += 1
        seen += page.text
    assert visited >= 6  # contracts, a note, journal, copy, requests...
    assert 'Motivé pour reprendre' in seen and 'sœur' not in seen
    journal = beneficiary.get(link['href'] + 'journal')
    assert 'Wanda Travailleuse' in journal.text
    contract = beneficiary.get(home.html.find('a', string='Ouvrir le contrat')['href'])
    assert 'Historique du contrat' in contract.text and 'Consentements' in contract.text
