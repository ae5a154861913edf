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
