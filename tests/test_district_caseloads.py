"""A district's dossiers by référent and moving a whole caseload (issue 16):
only the district's manager who is a qualified social worker, every move
journaled on its dossier."""
import re

import transaction

from portail.journal.model import JOURNAL_DB, ROOT_KEY
from tests.conftest import find_dossier, logged_in


def district_of(portal, login='worker1'):
    with portal.root() as root:
        return root.users.find_login(login).district


def uid_of(portal, login):
    with portal.root() as root:
        return root.users.find_login(login).uid


def caseload_names(portal, login):
    with portal.root() as root:
        names = sorted(root.dossiers.by_referent.get(root.users.find_login(login).uid, ()))
        return names


def test_the_qualified_manager_lists_the_district_by_referent(portal):
    district = district_of(portal)
    manager = logged_in(portal, 'manager2')
    home = manager.get('/')
    link = home.html.find('a', string=re.compile('Dossiers de la circonscription par référent'))
    page = manager.get(link['href'])
    workers = page.html.select('table')[0].get_text(' ', strip=True)
    assert 'Wanda Travailleuse' in workers and 'William Travailleur' in workers
    count = len(caseload_names(portal, 'worker1'))
    page = manager.get(f'/districts/{district}/caseloads',
                       params={'referent': uid_of(portal, 'worker1')})
    rows = page.html.select('section tbody tr')
    assert len(rows) == count
    text = page.html.find('section').get_text(' ', strip=True)
    assert 'MARTIN Bernard' in text and '14/03/1979' in text
    # level 2 only: no note, no address
    assert 'rue des Lilas' not in page.text
    assert 'Note' not in text


def test_a_whole_caseload_moves_after_a_confirmation_and_each_move_is_journaled(portal):
    district = district_of(portal)
    moving = caseload_names(portal, 'worker1')
    already = caseload_names(portal, 'worker2')
    assert moving
    manager = logged_in(portal, 'manager2')
    url = f'/districts/{district}/reassign-caseload?from={uid_of(portal, "worker1")}'
    page = manager.get(url)
    assert f'{len(moving)} dossiers passent' in page.text
    form = page.forms['form']
    form['to'] = uid_of(portal, 'worker2')
    refused = form.submit(status=400)  # not confirmed
    assert 'Cochez la case pour confirmer le transfert.' in refused.text
    assert caseload_names(portal, 'worker1') == moving
    form = refused.forms['form']
    form['confirm'] = True
    done = form.submit().follow()
    assert f'{len(moving)} dossiers transférés de Wanda Travailleuse à William Travailleur' \
        in done.text
    assert caseload_names(portal, 'worker1') == []
    assert caseload_names(portal, 'worker2') == sorted(moving + already)
    with portal.root() as root:
        journal = root._p_jar.get_connection(JOURNAL_DB).root()[ROOT_KEY]
        for name in moving:
            actions = [(e.action, e.user) for e in journal.chains[name].values()]
            assert ('reassign', uid_of(portal, 'manager2')) in actions
        transaction.abort()
    # the former référent opens none of them any more, the new one does
    martin = f'/dossiers/{moving[0]}/'
    logged_in(portal, 'worker1').get(martin, status=403)
    logged_in(portal, 'worker2').get(martin, status=200)


def test_a_move_to_an_unknown_or_foreign_worker_is_refused(portal):
    district = district_of(portal)
    manager = logged_in(portal, 'manager2')
    page = manager.get(f'/districts/{district}/reassign-caseload?from={uid_of(portal, "worker1")}')
    form = page.forms['form']
    form['confirm'] = True
    form['to'].force_value(uid_of(portal, 'worker3'))  # another district
    assert 'form' in form.submit(status=400).forms
    assert caseload_names(portal, 'worker1')
    # no such référent: back to the list, with a French message
    page = manager.get(f'/districts/{district}/reassign-caseload?from=nobody').follow()
    assert 'Choisissez le référent dont le portefeuille est transféré.' in page.text


def test_nobody_else_lists_or_moves_caseloads(portal):
    district = district_of(portal)
    other = district_of(portal, 'worker3')
    uid = uid_of(portal, 'worker1')
    for login in ('manager1', 'director1', 'worker1', 'secretary1', 'cli1', 'dpo1', 'admin1',
                  'beneficiary1'):
        browser = logged_in(portal, login)
        browser.get(f'/districts/{district}/caseloads', status=403)
        browser.get(f'/districts/{district}/reassign-caseload?from={uid}', status=403)
        home = browser.get('/').maybe_follow()
        assert 'par référent' not in home.text
    # a qualified manager of one district, not of the other
    logged_in(portal, 'manager2').get(f'/districts/{other}/caseloads', status=403)
    # a manager who is not a social worker still sees no file
    with portal.root() as root:
        martin = find_dossier(root, 'Martin').__name__
    logged_in(portal, 'manager1').get(f'/dossiers/{martin}/', status=403)
