"""Letters (issue 17; portail/letters, docs/letters.md): each kind rendered as a PDF
whose text pdftotext reads, who may produce and read them (the access matrix),
the journal, the département's own templates, and erasure."""
import shutil
import subprocess

import pytest

from portail.letters.model import letters_of
from portail.models.request import RightsRequest
from portail.retention import erase
from portail.timefmt import LOCAL_ZONE
from tests.conftest import Portal, find_dossier, logged_in
from tests.test_journal import entries

KINDS = ('review_invitation', 'cli_opinion', 'request_answer', 'end_of_contract',
         'signed_contract')


def pdf_text(pdf):
    """The text of ``pdf`` as pdftotext reads it (poppler-utils, .ci/setup-letters.sh)."""
    assert pdf.startswith(b'%PDF')
    tool = shutil.which('pdftotext')
    assert tool, 'pdftotext is missing: source .ci/setup-letters.sh'
    done = subprocess.run([tool, '-enc', 'UTF-8', '-', '-'], input=pdf,  # noqa: S603
                          capture_output=True, check=True)
    return ' '.join(done.stdout.decode('utf-8').split())


def prepare(portal):
    """Bernard Martin's dossier with a CLI opinion on his shared contract and an
    answered request; return the URLs and what each letter is about."""
    now = portal.clock.now()
    with portal.root() as root:
        dossier = find_dossier(root, 'Martin')
        shared = next(c for c in dossier.contracts.values() if c.state == 'shared')
        shared.cli_opinion = {'opinion': 'favourable', 'comment': 'Projet cohérent.',
                              'at': now.isoformat()}
        rq = RightsRequest('rectification', 'Mon adresse', 'online', dossier.beneficiary, now)
        root.dossiers.add_request(dossier, rq)
        rq.status, rq.answer = 'accepted', 'Adresse corrigée.'
        rq.answered_at, rq.answered_by = now, dossier.referent
        open_rq = RightsRequest('objection', 'Je refuse', 'online', dossier.beneficiary, now)
        root.dossiers.add_request(dossier, open_rq)
        closed = next(c for c in dossier.contracts.values() if c.state == 'closed')
        durand = find_dossier(root, 'Durand')
        draft = next(iter(durand.contracts.values()))
        return {
            'url': f'/dossiers/{dossier.__name__}/', 'dossier': dossier.__name__,
            'shared': f'contract:{shared.__name__}', 'closed': f'contract:{closed.__name__}',
            'request': f'request:{rq.__name__}', 'open_request': f'request:{open_rq.__name__}',
            'review': shared.review_date.strftime('%d/%m/%Y'),
            'start': shared.start_date.strftime('%d/%m/%Y'),
            'end': shared.end_date.strftime('%d/%m/%Y'),
            'durand': f'/dossiers/{durand.__name__}/',
            'durand_draft': f'contract:{draft.__name__}',
        }


ABOUT = {'review_invitation': 'shared', 'cli_opinion': 'shared', 'request_answer': 'request',
         'end_of_contract': 'shared', 'signed_contract': 'shared'}


@pytest.fixture
def martin(portal):
    return prepare(portal)


def produce(browser, url, kind, about, channel='download', time='', status=None):
    page = browser.get(url + 'correspondence')
    form = next(f for f in page.forms.values() if f.action.endswith('/correspondence'))
    form['kind'].force_value(kind)
    form['time'] = time
    form['about'].force_value(about)
    form['channel'].force_value(channel)
    return form.submit(status=status)


def newest_letter_url(browser, url):
    page = browser.get(url + 'correspondence')
    return page.html.select('table tbody a')[0]['href']


def today(portal):
    return portal.clock.now().astimezone(LOCAL_ZONE).strftime('%d/%m/%Y')


#: what each kind says (French), beyond the name, date and département
SAYS = {
    'review_invitation': ['Invitation à faire le point sur votre contrat',
                          'Le rendez-vous a lieu le {review} à 14:30'],
    'cli_opinion': ["L'avis de la CLI sur votre contrat", 'favorable', 'Projet cohérent.'],
    'request_answer': ['Réponse à votre demande', 'Nous acceptons votre demande.',
                       'rectification', 'Adresse corrigée.'],
    'end_of_contract': ['Fin de votre contrat', 'Il se termine le {end}'],
    'signed_contract': ["Votre contrat d'insertion signé", 'Il a été signé le',
                        'Inscription à un atelier', 'emploi'],
}


@pytest.mark.parametrize('kind', KINDS)
def test_each_kind_is_a_pdf_whose_text_says_it(portal, martin, kind):
    worker = logged_in(portal, 'worker1')
    done = produce(worker, martin['url'], kind, martin[ABOUT[kind]], time='14:30')
    assert done.status_int == 303
    page = done.follow()
    assert 'Le courrier est produit.' in page.text
    pdf = worker.get(newest_letter_url(worker, martin['url']))
    assert pdf.content_type == 'application/pdf'
    assert pdf.content_disposition.startswith(f'attachment; filename="courrier-{kind}-')
    text = pdf_text(pdf.body)
    for expected in ['Bernard MARTIN', '12 rue des Lilas, 59000 Lille', f'Le {today(portal)}',
                     'Département de démonstration', 'Service social', 'Bonjour Bernard MARTIN,',
                     'Votre référent', *SAYS[kind]]:
        assert expected.format(**martin) in text, (expected, text)
    assert '·' not in text  # plain words for the person


def test_the_letter_is_in_french_whatever_the_language_of_who_produces_it(portal, martin):
    worker = logged_in(portal, 'worker1')
    worker.set_cookie('portail_lang', 'en')
    produce(worker, martin['url'], 'end_of_contract', martin['shared']).follow()
    text = pdf_text(worker.get(newest_letter_url(worker, martin['url'])).body)
    assert 'Fin de votre contrat' in text


def test_the_person_lists_and_downloads_their_letters(portal, martin):
    worker = logged_in(portal, 'worker1')
    produce(worker, martin['url'], 'signed_contract', martin['shared'])
    person = logged_in(portal, 'beneficiary1')
    page = person.get(martin['url'])
    link = page.html.find(id='letters-title').find_parent('section').select('li a')[0]
    assert 'le contrat signé' in link.text
    assert 'Produire' not in person.get(martin['url'] + 'correspondence').text  # no form for them
    pdf = person.get(link['href'])
    assert 'Bernard MARTIN' in pdf_text(pdf.body)
    with portal.root() as root:
        letter = letters_of(root.dossiers[martin['dossier']])[0]
        uid = root.users.find_login('beneficiary1').uid
        worker_uid = root.users.find_login('worker1').uid
    journal = entries(portal, martin['dossier'])
    produced = [e for e in journal if e.object == f'letter:{letter.__name__}'
                and e.action == 'letter:signed_contract:download']
    assert [e.user for e in produced] == [worker_uid]
    assert any(e.object == f'letter:{letter.__name__}' and e.action == 'read' and e.user == uid
               for e in journal)
    assert any(e.object == 'letters' and e.action == 'read' and e.user == uid for e in journal)
    # the person's "who consulted my dossier" says it in words
    text = person.get(martin['url'] + 'journal').text
    assert 'courrier produit' in text and 'liste des courriers' in text


@pytest.mark.parametrize('login', ['worker3', 'secretary1', 'cli1', 'admin1', 'dpo1',
                                   'beneficiary2', 'manager2', 'manager1'])
def test_who_may_not_produce_nor_read_letters(portal, martin, login):
    worker = logged_in(portal, 'worker1')
    produce(worker, martin['url'], 'end_of_contract', martin['shared'])
    letter = newest_letter_url(worker, martin['url'])
    other = logged_in(portal, login)
    assert other.get(martin['url'] + 'correspondence', status='*').status_int == 403
    assert other.get(letter, status='*').status_int == 403
    posted = other.post_csrf(martin['url'] + 'correspondence', {
        'kind': 'end_of_contract', 'about': martin['shared'], 'channel': 'posted'}, status='*')
    assert posted.status_int == 403
    with portal.root() as root:
        assert len(letters_of(root.dossiers[martin['dossier']])) == 1


def test_the_beneficiary_cannot_produce_a_letter(portal, martin):
    person = logged_in(portal, 'beneficiary1')
    posted = person.post_csrf(martin['url'] + 'correspondence', {
        'kind': 'end_of_contract', 'about': martin['shared'], 'channel': 'download'}, status='*')
    assert posted.status_int == 403


@pytest.mark.parametrize('kind, about, channel, time, message', [
    ('nonsense', 'shared', 'download', '', 'Choisissez un type de courrier'),
    ('end_of_contract', 'shared', 'pigeon', '', 'Choisissez un type de courrier'),
    ('end_of_contract', 'request', 'download', '', "Choisissez l'objet du courrier"),
    ('request_answer', 'shared', 'download', '', "Choisissez l'objet du courrier"),
    ('signed_contract', 'contract:nothere', 'download', '', "Choisissez l'objet du courrier"),
    ('signed_contract', 'durand_draft', 'download', '', "Choisissez l'objet du courrier"),
    ('request_answer', 'open_request', 'download', '', "pas encore de réponse"),
    ('review_invitation', 'closed', 'download', '', 'Ce contrat est clos'),
    ('review_invitation', 'shared', 'download', '25:99', "Écrivez l'heure"),
])
def test_a_wrong_letter_is_refused_in_french(portal, martin, kind, about, channel, time,
                                             message):
    worker = logged_in(portal, 'worker1')
    page = produce(worker, martin['url'], kind, martin.get(about, about), channel, time,
                   status=400)
    assert message in page.html.find(role='alert').text
    with portal.root() as root:
        assert letters_of(root.dossiers[martin['dossier']]) == []


def test_refusals_of_the_object_state(portal, martin):
    """A CLI opinion not given, a contract never signed: 400 with the reason."""
    worker = logged_in(portal, 'worker1')
    page = produce(worker, martin['url'], 'cli_opinion', martin['closed'], status=400)
    assert "pas encore donné son avis" in page.text
    page = produce(worker, martin['durand'], 'signed_contract', martin['durand_draft'],
                   'handed_over', status=400)
    assert "n'a pas été signé" in page.text


def test_a_person_without_account_gets_paper_letters(portal, martin):
    worker = logged_in(portal, 'worker1')
    page = worker.get(martin['durand'] + 'correspondence')
    assert "pas de compte" in page.text
    refused = produce(worker, martin['durand'], 'end_of_contract', martin['durand_draft'],
                      'download', status=400)
    assert 'pas de compte' in refused.html.find(role='alert').text
    for channel, label in (('handed_over', 'remis sur papier'),
                           ('posted', 'envoyé par la poste')):
        page = produce(worker, martin['durand'], 'end_of_contract', martin['durand_draft'],
                       channel).follow()
        assert label in page.text
    text = pdf_text(worker.get(newest_letter_url(worker, martin['durand'])).body)
    assert 'Aïcha DURAND' in text and '4 place du Marché, 59000 Lille' in text


def test_the_departement_edits_its_letters(tmp_path):
    (tmp_path / 'end_of_contract.pt').write_text(
        '<html metal:use-macro="base.macros[\'letter\']">'
        '<h1 metal:fill-slot="subject">Votre contrat se termine bientôt</h1>'
        '<p metal:fill-slot="body">Texte du département : fin le ${end_date}.</p></html>',
        encoding='utf-8')
    logo = tmp_path / 'logo.svg'
    logo.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
                    '<rect width="10" height="10"/></svg>')
    portal = Portal({'portail.letters_dir': str(tmp_path),
                     'portail.departement_name': 'Département du Nord',
                     'portail.departement_logo': str(logo)}).initialise()
    martin = prepare(portal)
    worker = logged_in(portal, 'worker1')
    produce(worker, martin['url'], 'end_of_contract', martin['shared'])
    text = pdf_text(worker.get(newest_letter_url(worker, martin['url'])).body)
    assert 'Votre contrat se termine bientôt' in text
    assert f'Texte du département : fin le {martin["end"]}.' in text
    assert 'Département du Nord' in text and 'Département de démonstration' not in text
    # the other letters are the portal's own
    portal.clock.advance(minutes=1)  # the list is newest first
    produce(worker, martin['url'], 'signed_contract', martin['shared'])
    text = pdf_text(worker.get(newest_letter_url(worker, martin['url'])).body)
    assert "Votre contrat d'insertion signé" in text


def test_a_letter_keeps_what_it_said(portal, martin, tmp_path):
    """The stored PDF is the letter produced: a later change of the contract does
    not change it."""
    worker = logged_in(portal, 'worker1')
    produce(worker, martin['url'], 'end_of_contract', martin['shared'])
    url = newest_letter_url(worker, martin['url'])
    first = worker.get(url).body
    with portal.root() as root:
        dossier = root.dossiers[martin['dossier']]
        contract = dossier.contracts[martin['shared'].split(':')[1]]
        contract.duration_months = 24
    assert worker.get(url).body == first


def test_erasure_removes_the_letters(portal, martin):
    worker = logged_in(portal, 'worker1')
    produce(worker, martin['url'], 'signed_contract', martin['shared'])
    url = newest_letter_url(worker, martin['url'])
    with portal.root() as root:
        dossier = root.dossiers[martin['dossier']]
        assert len(letters_of(dossier)) == 1
        erase(root, dossier)
        assert martin['dossier'] not in root.dossiers
    assert worker.get(url, status='*').status_int == 404
