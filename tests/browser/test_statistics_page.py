"""The statistics page, as the district manager opens it from the menu: it
passes the same audits as every other page (axe, reflow, console)."""


def test_the_manager_opens_the_statistics_of_the_district(open_browser):
    manager = open_browser()
    manager.login('manager1')
    page = manager.link('Statistiques')
    assert page.get_by_role('heading', level=1).count() == 1


def test_the_director_opens_them_on_a_phone(open_browser):
    director = open_browser(phone=True)
    director.login('director1')
    page = director.link('Statistiques')
    assert page.get_by_role('heading', level=1).count() == 1
