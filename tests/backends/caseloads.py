"""New workers with dossiers of their own, for the tests of concurrent work."""
from datetime import date, timedelta

from portail.demo import CONTENT, contract_in_state
from portail.models.dossier import Dossier
from portail.models.user import User
from tests.conftest import accept_charter


def add_caseloads(portal, root, name, workers, contracts, state):
    """``workers`` new workers (``name`` + number), half in worker1's district,
    half in worker3's, who accepted the charter, each référent of
    ``contracts`` dossiers with one contract in ``state``; return
    ``{login: [contract urls]}``."""
    caseloads = {}
    districts = [root.users.find_login(login).district for login in ('worker1', 'worker3')]
    model = root.users.find_login('worker1')
    now = portal.clock.now()
    for number in range(workers):
        login = f'{name.lower()}{number}'
        user = User(login, f'{name} {number}', ('worker',), districts[number % 2])
        user.password_hash = model.password_hash
        user.password_changed_at = now
        user.must_change_password, user.password_never_expires = False, True
        root.users.add_user(user)
        accept_charter(root, user)
        urls = caseloads[login] = []
        for index in range(contracts):
            dossier = Dossier(user.district, user.uid)
            dossier.last_name, dossier.first_names = f'{name}{number}', f'Personne{index}'
            dossier.birth_date = date(1980, 1, 1 + index)
            dossier.created_at = now
            root.dossiers.add_dossier(dossier)
            values = dict(CONTENT, start_date=now.date(),
                          review_date=now.date() + timedelta(days=74))
            contract = contract_in_state(root, portal.registry, dossier, values, state)
            urls.append(f'/dossiers/{dossier.__name__}/contracts/{contract.__name__}/')
    return caseloads
