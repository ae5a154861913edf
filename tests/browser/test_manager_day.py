"""The district manager's day in a real browser (issue 16): a leaving
worker's caseload moves to a colleague in one action."""


def test_the_manager_moves_a_leaving_workers_caseload(open_browser):
    manager = open_browser()
    manager.login('manager2')
    page = manager.link('Dossiers de la circonscription par référent')
    workers = page.get_by_role('table', name='Travailleurs sociaux de la circonscription')
    page = manager.follow(workers.get_by_role('link',
                                              name='Voir les dossiers de Wanda Travailleuse'))
    dossiers = page.get_by_role('table', name='Dossiers de Wanda Travailleuse', exact=False)
    assert 'MARTIN Bernard' in dossiers.inner_text()
    page = manager.link('Transférer le portefeuille de Wanda Travailleuse')
    page.get_by_label('Nouveau référent').select_option(label='William Travailleur')
    page.get_by_label('Je confirme', exact=False).check()
    page = manager.button('Transférer le portefeuille')
    assert 'dossiers transférés de Wanda Travailleuse à William Travailleur' in manager.flash()
    dossiers = page.get_by_role('table', name='Dossiers de William Travailleur', exact=False)
    assert 'MARTIN Bernard' in dossiers.inner_text()

    # a manager who is not a social worker has no such page
    other = open_browser()
    page = other.login('manager1')
    assert page.get_by_role('link', name='Dossiers de la circonscription par référent').count() == 0


def test_another_districts_caseloads_stay_closed_and_the_director_speaks_of_the_departement(
        open_browser, live):
    with live.root() as root:
        own = root.users.find_login('manager2').district
        other = next(name for name in root.districts.keys() if name != own)
    manager = open_browser()
    manager.login('manager2')
    page = manager.goto(f'/districts/{other}/caseloads')
    assert page.get_by_role('heading', level=1).inner_text() == 'Accès refusé'
    # the browser reports the 403 answer in its console: that one is expected
    assert len(manager.errors) == 1 and '403 (Forbidden)' in manager.errors[0], manager.errors
    manager.errors.clear()

    director = open_browser()
    page = director.login('director1')
    assert page.get_by_role('heading', name='Le département', exact=True).count() == 1
    assert page.get_by_role('heading', name='Ma circonscription').count() == 0
    assert page.locator('#pending').count() == 0  # not a social worker: no file, no "À traiter"
