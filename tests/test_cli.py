"""The CLI receives only what was shared, gives its opinion, and loses the copy
the moment consent is withdrawn (docs/domain.md, *Workflow* and *CLI and statistics*)."""
from portail.models.user import User
from tests.conftest import accept_charter, find_dossier, logged_in
from tests.test_contracts import (
    consent_online,
    form_posting_to,
    new_contract,
    record_on_paper,
    run_transition,
)


def test_share_opinion_and_withdrawal(portal):
    worker = logged_in(portal, 'worker1')
    with portal.root() as root:
        martin = find_dossier(root, 'Martin')
        url = f'/dossiers/{martin.__name__}/'
        district = martin.district
    contract = new_contract(worker, url, actions='Atelier CV PARTAGE-QX').location
    contract = contract.replace('http://localhost', '')
    run_transition(worker, contract, 'sign_paper')
    beneficiary = logged_in(portal, 'beneficiary1')
    consent_online(beneficiary, contract, 'processing', 'given')
    run_transition(worker, contract, 'enter')
    consent_online(beneficiary, contract, 'share_cli', 'given')
    run_transition(worker, contract, 'share', fields=['themes', 'actions']).follow()

    cli = logged_in(portal, 'cli1')
    home = cli.get('/')
    worklist = cli.get(f'/cli/{district}/')
    links = [a['href'] for a in worklist.html.select('tbody a')]
    assert len(links) == 3  # the two demo shares and this one
    pages = [cli.get(link) for link in links]
    page = next(p for p in pages if 'PARTAGE-QX' in p.text)
    assert page.request.url in home.text  # the home page lists it too
    # exactly the chosen fields: no name, no address, no dates, no commitments
    for absent in ('MARTIN', 'Bernard', 'rue des Lilas', '1979', 'Accompagnement mensuel'):
        assert absent not in page.text
    assert 'Thèmes' in page.text and 'emploi' in page.text

    form = form_posting_to(page, '/opinion')
    form['opinion'] = 'reserved'
    form['comment'] = 'Revoir le calendrier des ateliers'
    assert 'Avis de la CLI' in form.submit().follow().text
    for browser in (worker, beneficiary):
        text = browser.get(contract).text
        assert 'Revoir le calendrier des ateliers' in text and 'réservé' in text
    # what the beneficiary sees is exactly what the CLI holds
    assert 'Atelier CV PARTAGE-QX' in beneficiary.get(contract).html.find(
        'h3', string='Partagé avec la CLI').find_parent('div').text

    consent_online(beneficiary, contract, 'share_cli', 'withdrawn')
    assert cli.get(page.request.path, status=404).status_int == 404
    assert 'PARTAGE-QX' not in cli.get(f'/cli/{district}/').text


def test_an_opinion_needs_a_choice(portal):
    cli = logged_in(portal, 'cli1')
    with portal.root() as root:
        district = find_dossier(root, 'Martin').district
    worklist = cli.get(f'/cli/{district}/')
    page = cli.get(worklist.html.select('tbody a')[0]['href'])
    page = form_posting_to(page, '/opinion').submit(status=400)
    assert "Choisissez l'avis de la CLI" in page.text


def test_another_district_facilitator_sees_nothing(portal):
    with portal.root() as root:
        south = root.users.find_login('worker3').district
        north = find_dossier(root, 'Martin').district
        cli2 = User('cli2', 'Carla Animatrice', ('cli',), south)
        cli2.password_hash = root.users.find_login('cli1').password_hash
        cli2.password_changed_at, cli2.must_change_password = portal.clock.now(), False
        cli2.password_never_expires = True
        root.users.add_user(cli2)
        accept_charter(root, cli2)
        summary = next(iter(root.cli[north]))
        pseudonyms = [s.pseudonym for s in root.cli[north].values()]
    other = logged_in(portal, 'cli2')
    assert other.get(f'/cli/{north}/', status=403)
    assert other.get(f'/cli/{north}/{summary}/', status=403)
    assert other.post(f'/cli/{north}/{summary}/opinion',
                      {'csrf_token': other.csrf(), 'opinion': 'favourable'}, status=403)
    home = other.get('/').text
    assert all(p not in home for p in pseudonyms)


def leroy_contract(portal):
    """Nadia Leroy's entered contract of the demo: its dossier and its
    objects (detached), its URL and its district."""
    with portal.root() as root:
        leroy = find_dossier(root, 'Leroy')
        contract = next(iter(leroy.contracts.values()))
        return (leroy, contract, f'/dossiers/{leroy.__name__}/contracts/{contract.__name__}/',
                leroy.district)


def test_identity_only_when_picked_and_amendment_withdraws_the_copy(portal):
    """The name reaches the CLI only if the référent ticks identity (never the
    address nor the birth date); amending the contract takes the copy back."""
    worker = logged_in(portal, 'worker1')
    leroy, contract, url, district = leroy_contract(portal)
    record_on_paper(worker, url, 'share_cli', 'given', 'in_person')
    run_transition(worker, url, 'share', fields=['identity', 'duration_months']).follow()
    cli = logged_in(portal, 'cli1')
    with portal.root() as root:
        summary = root.dossiers.contract((leroy.__name__, contract.__name__)).cli_summary
    page = cli.get(f'/cli/{district}/{summary}/')
    assert 'LEROY Nadia' in page.text
    for absent in ('rue Nationale', '1970', 'Inscription à un atelier'):
        assert absent not in page.text
    run_transition(worker, url, 'amend', comment='Rectification').follow()
    cli.get(f'/cli/{district}/{summary}/', status=404)
    assert summary not in cli.get(f'/cli/{district}/').text


def worklist_rows(cli, district):
    page = cli.get(f'/cli/{district}/')
    return {tr.select('td')[0].get_text(strip=True): [td.get_text(' ', strip=True)
                                                      for td in tr.select('td')]
            for tr in page.html.select('tbody tr')}


def test_the_referents_name_only_when_the_referent_shares_it(portal):
    """The référent's name is a level 1 field: the CLI's worklist, agenda and
    summary show it only if the référent ticked it, as it was on the day of
    sharing; the person reads it among what the CLI holds."""
    worker = logged_in(portal, 'worker1')
    leroy, contract, url, district = leroy_contract(portal)
    with portal.root() as root:
        referent = root.users[find_dossier(root, 'Leroy').referent].fullname
    cli = logged_in(portal, 'cli1')
    before = worklist_rows(cli, district)
    assert before and all(row[2] == 'nom non communiqué' for row in before.values())
    assert referent not in cli.get(f'/cli/{district}/').text

    record_on_paper(worker, url, 'share_cli', 'given', 'in_person')
    page = run_transition(worker, url, 'share',
                          fields=['referent', 'themes']).follow()
    assert 'Nom du référent' in page.text
    with portal.root() as root:
        summary = root.dossiers.contract((leroy.__name__, contract.__name__)).cli_summary
        pseudonym = root.cli[district][summary].pseudonym
    rows = worklist_rows(cli, district)
    assert rows[pseudonym][2] == referent
    assert all(row[2] == 'nom non communiqué' for name, row in rows.items() if name != pseudonym)
    page = cli.get(f'/cli/{district}/{summary}/')
    assert 'Nom du référent' in page.text and referent in page.text
    assert 'LEROY' not in page.text  # the person's name was not ticked
