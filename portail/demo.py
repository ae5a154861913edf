"""The demo département: two districts, one account per role, and dossiers
with contracts in every state (README, "Demo accounts").

Every demo account has the password :data:`DEMO_PASSWORD`, which never
expires.  The contracts are moved through the real workflow, as the people
named in their history would have done.
"""
import random
from datetime import date, timedelta

from portail.auth.passwords import hash_password
from portail.clock import utcnow
from portail.models.contract import THEMES as CONTENT_THEMES
from portail.models.district import add_district
from portail.models.dossier import Dossier
from portail.models.note import Note
from portail.models.user import User
from portail.system import SystemRequest
from portail.workflow.consents import record_consent
from portail.workflow.contract import CONTRACT_WORKFLOW, close_expired, draft_contract

DEMO_PASSWORD = 'Portail-Demo-2026'  # noqa: S105 (published in the README)

DISTRICTS = (
    ('Circonscription Nord', 'CLI du Nord'),
    ('Circonscription Sud', 'CLI du Sud'),
)
#: how the people each district follows reach its service (made up)
DISTRICT_CONTACTS = (
    ('Maison du Département, 2 place de la Gare, 59000 Lille', '03 20 00 00 01'),
    ('Maison du Département, 8 cours Belsunce, 13001 Marseille', '04 91 00 00 02'),
)

#: (login, full name, roles, district number or None, qualified social worker)
ACCOUNTS = (
    ('admin1', 'Alice Administratrice', ('admin',), None, False),
    ('dpo1', 'Denis Délégué', ('dpo',), None, False),
    ('worker1', 'Wanda Travailleuse', ('worker',), 1, False),
    ('worker2', 'William Travailleur', ('worker',), 1, False),
    ('worker3', 'Wassila Travailleuse', ('worker',), 2, False),
    ('secretary1', 'Sophie Secrétaire', ('secretary',), 1, False),
    ('secretary2', 'Samuel Secrétaire', ('secretary',), 2, False),
    ('cli1', 'Claire Animatrice', ('cli',), 1, False),
    ('manager1', 'Marc Responsable', ('manager',), 1, False),
    ('manager2', 'Maud Responsable', ('manager',), 1, True),
    ('director1', 'Diane Directrice', ('manager',), None, False),
    ('beneficiary1', 'Bernard Bénéficiaire', ('beneficiary',), 1, False),
    ('beneficiary2', 'Béatrice Bénéficiaire', ('beneficiary',), 2, False),
)


def create_demo(root, registry, spread=False):
    """Add the demo districts, accounts and dossiers to ``root``; return the logins.

    With ``spread``, add :data:`SPREAD_SIZE` more contracts over two years so
    that the statistics pages have something to draw (``make run`` does).
    """
    now = utcnow(registry)
    profile = registry.settings['portail.argon2_profile']
    district_ids = [add_district(root, name, cli) for name, cli in DISTRICTS]
    for district_id, (address, phone) in zip(district_ids, DISTRICT_CONTACTS, strict=True):
        root.districts[district_id].address = address
        root.districts[district_id].phone = phone
    password_hash = hash_password(DEMO_PASSWORD, profile)
    logins = []
    for login, fullname, roles, district, qualified in ACCOUNTS:
        user = User(login, fullname, roles,
                    district_ids[district - 1] if district else None, qualified)
        user.password_hash = password_hash
        user.password_changed_at = now
        user.must_change_password = False
        user.password_never_expires = True
        user.created_at = now
        root.users.add_user(user)
        logins.append(login)
    create_dossiers(root, registry)
    if spread:
        create_spread(root, registry)
    return logins


class ActingAs(SystemRequest):
    """The demo acts as the people named in the history (demo data only)."""

    def has_permission(self, permission, context=None):
        return True


#: (référent, beneficiary account, last name, first names, birth date, address,
#:  [states of its contracts])
DOSSIERS = (
    ('worker1', 'beneficiary1', 'Martin', 'Bernard', date(1979, 3, 14),
     '12 rue des Lilas, 59000 Lille', ('shared', 'closed')),
    ('worker1', None, 'Durand', 'Aïcha', date(1988, 7, 2), '4 place du Marché, 59000 Lille',
     ('draft',)),
    ('worker1', None, 'Petit', 'Jules', date(1995, 11, 23), '8 allée des Tilleuls, 59100 Roubaix',
     ('signed',)),
    ('worker1', None, 'Leroy', 'Nadia', date(1970, 1, 5), '27 rue Nationale, 59100 Roubaix',
     ('entered',)),
    ('worker1', None, 'Moreau', 'Kevin', date(2001, 5, 30), '3 impasse du Moulin, 59200 Tourcoing',
     ('paper',)),
    ('worker2', None, 'Fournier', 'Sylvie', date(1983, 9, 12), '15 rue de Paris, 59000 Lille',
     ('signed', 'closed')),
    ('worker2', None, 'Girard', 'Mamadou', date(1992, 4, 18), '6 rue Pasteur, 59200 Tourcoing',
     ('shared',)),
    ('worker3', 'beneficiary2', 'Bonnet', 'Béatrice', date(1986, 12, 1),
     '9 chemin des Vignes, 13001 Marseille', ('draft', 'entered')),
    ('worker3', None, 'Lambert', 'Hugo', date(1999, 2, 27), '22 boulevard du Port, 13002 Marseille',
     ('shared',)),
)

#: working notes of Bernard Martin's référent: one he reads, one about someone else
NOTES = (
    ('Motivé pour reprendre une formation de cariste ; à revoir après le bilan.', False),
    ('Sa sœur signale des difficultés de garde d\'enfant.', True),
)

CONTENT = {
    'duration_months': 6,
    'themes': ('emploi', 'mobilite'),
    'actions': 'Inscription à un atelier de recherche d\'emploi ; démarches pour le permis B.',
    'commitments': 'Rendez-vous mensuel avec la référente ; aide au financement du permis.',
}


def create_dossiers(root, registry):
    """The demo dossiers, with contracts moved through the workflow."""
    users = root.users
    today = utcnow(registry).date()
    for referent, account, last, first, born, address, states in DOSSIERS:
        worker = users.find_login(referent)
        dossier = Dossier(worker.district, worker.uid)
        dossier.last_name, dossier.first_names, dossier.birth_date = last, first, born
        dossier.address, dossier.household_size = address, 2
        dossier.created_at = utcnow(registry)
        root.dossiers.add_dossier(dossier)
        if account:
            root.dossiers.set_beneficiary(dossier, users.find_login(account).uid)
        if last == 'Martin':
            for text, third in NOTES:
                dossier.notes.add(Note(worker.uid, text, third, utcnow(registry)))
        for age, state in enumerate(states):
            start = today - timedelta(days=30 + 200 * age)
            # earlier contracts last 12 months, so none has ended on the demo's day
            values = dict(CONTENT, start_date=start, review_date=start + timedelta(days=90),
                          duration_months=12 if age else CONTENT['duration_months'])
            contract_in_state(root, registry, dossier, values, state)


def contract_in_state(root, registry, dossier, values, state):
    as_referent = ActingAs(registry, root, dossier.referent)
    contract = draft_contract(as_referent, dossier, values, 'paper')
    run = CONTRACT_WORKFLOW.execute
    if state == 'draft':
        return contract
    run(contract, as_referent, 'sign_paper', channel='paper')
    if state == 'signed':
        # consented on the signed paper: ready for the secretary to enter
        record_consent(as_referent, contract, 'processing', 'given', 'paper')
        return contract
    if state == 'paper':
        record_consent(as_referent, contract, 'processing', 'refused', 'paper')
        run(contract, as_referent, 'keep_on_paper')
        return contract
    record_consent(as_referent, contract, 'processing', 'given', 'paper')
    run(contract, as_referent, 'enter')
    if state == 'entered':
        return contract
    if state == 'shared':
        record_consent(as_referent, contract, 'share_cli', 'given', 'paper')
        run(contract, as_referent, 'share', fields=('themes', 'duration_months', 'actions'))
        return contract
    run(contract, as_referent, 'close', comment='Objectifs atteints.')
    return contract


#: how many contracts the statistics spread adds
SPREAD_SIZE = 600
SPREAD_NAMES = ('Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Simon', 'Laurent',
                'Michel', 'Garcia', 'David', 'Bertrand', 'Roux', 'Vincent', 'Fontaine')
SPREAD_FIRST = ('Camille', 'Léa', 'Nora', 'Yanis', 'Louis', 'Inès', 'Rayan', 'Emma', 'Noah',
                'Chloé', 'Adam', 'Sarah', 'Lucas', 'Jade')
#: state → weight: most contracts entered or shared, a few in the small states
SPREAD_STATES = {'entered': 30, 'shared': 22, 'closed': 20, 'signed': 12, 'draft': 10,
                 'paper': 6}


def create_spread(root, registry):
    """Dossiers with contracts spread over this year and the last, for the statistics.

    Deterministic (seeded), two thirds in the first district; the référents
    are the demo workers of each district.  The contracts whose end date has
    passed are then closed, as the daily ``portail-close-expired`` would have
    done: the demo is a portal in order on the day of its clock.
    """
    rng = random.Random(2026)
    users = root.users
    today = utcnow(registry).date()
    workers = {1: [users.find_login('worker1'), users.find_login('worker2')],
               2: [users.find_login('worker3')]}
    states, weights = zip(*SPREAD_STATES.items(), strict=True)
    for _ in range(SPREAD_SIZE):
        worker = rng.choice(workers[1 if rng.random() < 0.66 else 2])
        dossier = Dossier(worker.district, worker.uid)
        dossier.last_name, dossier.first_names = rng.choice(SPREAD_NAMES), rng.choice(SPREAD_FIRST)
        dossier.birth_date = date(1960 + rng.randrange(45), 1 + rng.randrange(12),
                                  1 + rng.randrange(28))
        dossier.household_size = 1 + rng.randrange(5)
        dossier.created_at = utcnow(registry)
        root.dossiers.add_dossier(dossier)
        if rng.random() < 0.3:
            start = date(today.year - 1, 1 + rng.randrange(12), 1 + rng.randrange(28))
        else:
            start = date(today.year, 1 + rng.randrange(today.month), 1 + rng.randrange(28))
        themes = tuple(rng.sample(sorted(CONTENT_THEMES), 1 + rng.randrange(3)))
        values = dict(CONTENT, start_date=start, review_date=start + timedelta(days=90),
                      duration_months=rng.choice((3, 6, 6, 6, 9, 12, 12)), themes=themes)
        contract_in_state(root, registry, dossier, values, rng.choices(states, weights)[0])
    close_expired(SystemRequest(registry, root), today)
