"""The secretary's entry queue (issue 16): only the contracts that can be
entered, those waiting for the person's consent apart with their référent,
a filter by référent, the contract and its fingerprint on the entry page,
and a queue that says so when secretaries' entry is switched off."""
from tests.conftest import Portal, logged_in
from tests.test_contracts import consent_online, dossier_url, new_contract, run_transition


def signed_without_consent(portal, last_name='Martin', worker='worker1'):
    """A contract signed on paper whose person has not consented to the processing yet."""
    browser = logged_in(portal, worker)
    contract = new_contract(browser, dossier_url(portal, last_name)).location.replace(
        'http://localhost', '')
    run_transition(browser, contract, 'sign_paper')
    return contract


def queues(browser, **query):
    page = browser.get('/', params=query)
    ready = page.html.find('section', attrs={'aria-labelledby': 'queue-title'})
    waiting = page.html.find('section', attrs={'aria-labelledby': 'waiting-title'})
    rows = lambda section: [tuple(td.get_text(strip=True) for td in tr.select('td'))  # noqa: E731
                            for tr in section.select('tbody tr')] if section else []
    return page, rows(ready), rows(waiting)


def test_a_contract_waits_apart_until_the_consent_then_can_be_entered(portal):
    contract = signed_without_consent(portal)
    secretary = logged_in(portal, 'secretary1')
    _page, ready, waiting = queues(secretary)
    assert not [r for r in ready if r[0] == 'MARTIN Bernard']
    martin = [r for r in waiting if r[0] == 'MARTIN Bernard']
    assert len(martin) == 1 and martin[0][2] == 'Wanda Travailleuse'  # whom to ask
    consent_online(logged_in(portal, 'beneficiary1'), contract, 'processing', 'given')
    _page, ready, waiting = queues(secretary)
    assert [r for r in ready if r[0] == 'MARTIN Bernard']
    assert not [r for r in waiting if r[0] == 'MARTIN Bernard']
    # the entry page shows the contract and its fingerprint beside the button
    page = secretary.get(contract + 'transition?name=enter')
    assert 'Empreinte du texte signé' in page.text
    with portal.root() as root:
        dossier_id, contract_id = contract.strip('/').split('/')[1::2]
        fingerprint = root.dossiers[dossier_id].contracts[contract_id].fingerprint
    assert fingerprint and fingerprint in page.text
    assert 'Atelier CV' in page.text
    run_transition(secretary, contract, 'enter')
    _page, ready, waiting = queues(secretary)
    assert not [r for r in ready + waiting if r[0] == 'MARTIN Bernard']


def test_the_queue_is_filtered_by_referent(portal):
    signed_without_consent(portal)
    with portal.root() as root:
        wanda = root.users.find_login('worker1').uid
        william = root.users.find_login('worker2').uid
    secretary = logged_in(portal, 'secretary1')
    _page, ready, waiting = queues(secretary, referent=wanda)
    assert ready + waiting and all(r[2] == 'Wanda Travailleuse' for r in ready + waiting)
    _page, ready, waiting = queues(secretary, referent=william)
    assert all(r[2] == 'William Travailleur' for r in ready + waiting)
    assert not [r for r in ready + waiting if r[0] == 'MARTIN Bernard']
    # an unknown référent is no filter
    _page, all_ready, all_waiting = queues(secretary, referent='nobody')
    assert len(all_ready) + len(all_waiting) >= 1


def test_with_secretaries_entry_switched_off_the_queue_says_so():
    portal = Portal({'portail.secretaries_enter_contracts': 'false'}).initialise()
    page = logged_in(portal, 'secretary1').get('/')
    text = page.html.find('main').get_text(' ', strip=True)
    assert 'Contrats à saisir' not in text
    assert 'la saisie par les secrétariats est désactivée' in text.lower()


def test_the_evolve_step_splits_an_old_queue(portal):
    """A database of before the split held every signed contract in one queue."""
    from portail.evolve.steps import split_entry_queue
    from portail.models.dossier import signed_at
    from portail.models.ordered import time_key

    contract = signed_without_consent(portal)
    dossier_id, contract_id = contract.strip('/').split('/')[1::2]
    with portal.root() as root:
        dossiers = root.dossiers
        signed = dossiers[dossier_id].contracts[contract_id]
        district = dossiers[dossier_id].district
        # as the old code left it: in the one queue
        dossiers._leave_queue(signed)
        key = (time_key(signed_at(signed)), dossier_id, contract_id)
        dossiers.signed_queue[district].add(key)
        signed.queue_key, signed.queue_ready = (district, key), True
        split_entry_queue(root._p_jar.root(), root._p_jar)
        assert key not in list(dossiers.signed_queue[district].slice(0, 1000))
        assert key in list(dossiers.consent_queue[district].slice(0, 1000))
        assert signed.queue_ready is False
