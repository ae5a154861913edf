"""A deterministic département of a chosen size, written as the portal writes it.

Every object is created with the portal's own classes and indexes
(``Users.add_user``, ``Dossiers.add_dossier``/``set_beneficiary``/
``reindex_contract``, ``add_district``, ``CONTRACT_WORKFLOW`` with its
callbacks, so shared contracts get their ``CliSummary``), but without the
HTTP request; the access journal gets one entry per contract transition
(as the workflow writes them), not the reads and consents, which only cost
time here.  One
password hash (argon2, the configured profile) is shared by every account;
dossiers are committed in batches.

The same tier and seed give the same database: ids and CLI pseudonyms come
from a seeded :class:`random.Random` instead of :mod:`secrets` (only while
generating), and the clock is fixed at :data:`BENCH_NOW`.
"""
import contextlib
import json
import random
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import transaction
from pyramid.registry import Registry

from portail.acl.roles import is_staff
from portail.auth import second_factor
from portail.auth.passwords import hash_password
from portail.clock import FixedClock, IClock
from portail.evolve import evolve
from portail.journal.record import record
from portail.models.contract import THEMES, ConsentRecord, Contract
from portail.models.district import add_district
from portail.models.dossier import Dossier
from portail.models.root import get_root
from portail.models.user import User
from portail.workflow.contract import CONTRACT_WORKFLOW

#: bump whenever what the generator writes changes (invalidates kept databases)
GENERATOR_VERSION = 6
SEED = 20261102
BENCH_NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
#: password of every generated account (never expires)
BENCH_PASSWORD = 'Bench-Portail-2026'  # noqa: S105 (benchmark data only)
#: the second factor of the generated accounts that must have one (admin1,
#: dpo1): the bench's clients type its code (bench/load.py)
BENCH_TOTP_SECRET = 'BENCHPORTAILBENCHPORTAILBENCHPOR'  # noqa: S105 (benchmark data only)
#: dossiers per transaction
BATCH = 2000
#: one dossier in BENEFICIARY_EVERY has a beneficiary account
BENEFICIARY_EVERY = 10


@dataclass(frozen=True)
class Tier:
    name: str
    dossiers: int
    workers: int
    districts: int
    contracts_per_dossier: int = 3
    #: per district
    secretaries: int = 2
    cli_facilitators: int = 2
    managers: int = 1

    @property
    def caseload(self):
        return self.dossiers // self.workers


TIERS = {
    'S': Tier('S', dossiers=10_000, workers=50, districts=10),
    'L': Tier('L', dossiers=100_000, workers=500, districts=40),
    # for the test suite only
    'toy': Tier('toy', dossiers=120, workers=4, districts=2),
}

#: state of the latest contract of a dossier, with weights
LATEST_STATES = (('draft', 15), ('signed', 15), ('entered', 25), ('shared', 20),
                 ('paper', 5), ('closed', 20))
#: state of earlier contracts
EARLIER_STATES = (('closed', 85), ('paper', 15))

LAST_NAMES = ('Martin', 'Bernard', 'Thomas', 'Petit', 'Robert', 'Richard', 'Durand', 'Dubois',
              'Moreau', 'Laurent', 'Simon', 'Michel', 'Lefèvre', 'Leroy', 'Roux', 'David',
              'Bertrand', 'Morel', 'Fournier', 'Girard', 'Bonnet', 'Dupont', 'Lambert',
              'Fontaine', 'Rousseau', 'Vincent', 'Müller', 'Lefebvre', 'Faure', 'André',
              'Mercier', 'Blanc', 'Guérin', 'Boyer', 'Garnier', 'Chevalier', 'François',
              'Legrand', 'Gauthier', 'Garcia', 'Perrin', 'Robin', 'Clément', 'Morin',
              'Nicolas', 'Henry', 'Roussel', 'Mathieu', 'Gautier', 'Masson', 'Benali',
              'Diallo', 'Nguyen', 'Traoré', 'Haddad', 'Da Silva', 'Lopez', 'Kaya')
FIRST_NAMES = ('Aïcha', 'Bernard', 'Camille', 'Djibril', 'Élodie', 'Fatima', 'Gaël',
               'Hélène', 'Inès', 'Jules', 'Karim', 'Léa', 'Mamadou', 'Nadia', 'Océane',
               'Pierre', 'Quentin', 'Rania', 'Sylvie', 'Théo', 'Ulysse', 'Valérie',
               'William', 'Yasmine', 'Zoé', 'Kevin', 'Sophie', 'Mohamed', 'Julie', 'Lucas')
STREETS = ('rue des Lilas', 'place du Marché', 'allée des Tilleuls', 'rue Nationale',
           'impasse du Moulin', 'rue de Paris', 'rue Pasteur', 'chemin des Vignes',
           'boulevard du Port', 'avenue Jean Jaurès')
ACTIONS = ('Inscription à un atelier de recherche d\'emploi ; démarches pour le permis B.',
           'Bilan de compétences ; recherche d\'une formation qualifiante.',
           'Demande de logement social ; accompagnement budgétaire.',
           'Ouverture des droits à la complémentaire santé ; bilan de santé.')
COMMITMENTS = ('Rendez-vous mensuel avec la référente.',
               'Aide au financement du permis ; rendez-vous tous les deux mois.')
SHARED_FIELDS = ('themes', 'duration_months', 'actions')


class GeneratorRequest:
    """What the workflow needs of a request: registry (a clock, no subscribers,
    so nothing is journaled), root, acting user, every permission."""

    def __init__(self, registry, root, uid):
        self.registry = registry
        self.root = root
        self.authenticated_userid = uid

    def has_permission(self, permission, context=None):
        return True


def generator_registry(journal_key, now=BENCH_NOW):
    registry = Registry('bench-generator')
    registry.registerUtility(FixedClock(now), IClock)
    registry.portail_journal_key = journal_key  # what portail.journal.key.journal_key_of reads
    return registry


@contextlib.contextmanager
def seeded_ids(rng):
    """Make the portal's random ids (containers, CLI pseudonyms) come from ``rng``."""
    from portail.models import cli, container

    class SeededSecrets:
        @staticmethod
        def token_hex(nbytes):
            return rng.getrandbits(8 * nbytes).to_bytes(nbytes, 'big').hex()

    saved = container.new_id, cli.secrets
    container.new_id = lambda: SeededSecrets.token_hex(12)
    cli.secrets = SeededSecrets
    try:
        yield
    finally:
        container.new_id, cli.secrets = saved


def _pick(rng, weighted):
    states, weights = zip(*weighted, strict=True)
    return rng.choices(states, weights)[0]


class Generator:
    """Builds one tier into an initialised, empty portal database."""

    def __init__(self, tier, journal_key, seed=SEED, now=BENCH_NOW, profile='default'):
        self.tier = tier
        self.rng = random.Random(f'{seed}-{tier.name}')
        self.now = now
        self.registry = generator_registry(journal_key, now)
        self.password_hash = hash_password(BENCH_PASSWORD, profile)
        #: login lists by role, for the load clients (written to the stamp)
        self.logins = {'worker': [], 'secretary': [], 'cli': [], 'manager': [],
                       'beneficiary': [], 'dpo': [], 'admin': []}

    # -- accounts -----------------------------------------------------------

    def add_user(self, root, login, fullname, role, district=None, qualified=False):
        user = User(login, fullname, (role,), district, qualified)
        user.password_hash = self.password_hash
        user.password_changed_at = self.now
        user.must_change_password = False
        user.password_never_expires = True
        user.created_at = self.now
        root.users.add_user(user)
        complete_login_steps(root.charter, user, self.now)
        self.logins[role].append(login)
        return user

    def accounts(self, root):
        """Districts and staff; return ``[(district id, [worker uids])]``."""
        tier = self.tier
        self.add_user(root, 'admin1', 'Alice Administratrice', 'admin')
        self.add_user(root, 'dpo1', 'Denis Délégué', 'dpo')
        districts = []
        worker_no = 0
        for d in range(1, tier.districts + 1):
            district = add_district(root, f'Circonscription {d}', f'CLI {d}')
            for k in range(1, tier.secretaries + 1):
                self.add_user(root, f'secretary{d}-{k}', f'Secrétaire {d}-{k}', 'secretary',
                              district)
            for k in range(1, tier.cli_facilitators + 1):
                self.add_user(root, f'cli{d}-{k}', f'Animatrice {d}-{k}', 'cli', district)
            for k in range(1, tier.managers + 1):
                self.add_user(root, f'manager{d}-{k}', f'Responsable {d}-{k}', 'manager',
                              district, qualified=k % 2 == 1)
            uids = []
            # workers spread evenly over districts (the first ones take the remainder)
            count = tier.workers // tier.districts + (d <= tier.workers % tier.districts)
            for _k in range(count):
                worker_no += 1
                user = self.add_user(root, f'worker{worker_no}', f'Travailleur {worker_no}',
                                     'worker', district)
                uids.append(user.uid)
            districts.append((district, uids))
        return districts

    # -- dossiers and contracts ---------------------------------------------

    def dossier(self, root, number, district, referent):
        rng = self.rng
        dossier = Dossier(district, referent)
        dossier.last_name = rng.choice(LAST_NAMES)
        dossier.first_names = rng.choice(FIRST_NAMES)
        dossier.birth_date = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 55))
        dossier.address = f'{rng.randrange(1, 200)} {rng.choice(STREETS)}, 59000 Lille'
        dossier.household_size = rng.randrange(1, 6)
        dossier.created_at = self.now - timedelta(days=rng.randrange(30, 1500))
        root.dossiers.add_dossier(dossier)
        if number % BENEFICIARY_EVERY == 0:
            user = self.add_user(root, f'beneficiary{number}',
                                 f'{dossier.first_names} {dossier.last_name}', 'beneficiary',
                                 district)
            root.dossiers.set_beneficiary(dossier, user.uid)
        count = self.tier.contracts_per_dossier
        for age in range(count - 1, -1, -1):
            state = _pick(rng, LATEST_STATES if age == 0 else EARLIER_STATES)
            start = (self.now - timedelta(days=20 + 380 * age + rng.randrange(60))).date()
            self.contract(root, dossier, state, start, age)
        return dossier

    def contract(self, root, dossier, state, start, age):
        """A contract brought to ``state`` by the workflow's transitions."""
        rng = self.rng
        request = GeneratorRequest(self.registry, root, dossier.referent)
        contract = Contract()
        contract.created_at = datetime.combine(start, BENCH_NOW.timetz())
        contract.set_content({
            'start_date': start,
            'duration_months': 12 if age else rng.choice((3, 6, 6, 12)),
            'themes': tuple(rng.sample(sorted(THEMES), rng.randrange(1, 4))),
            'actions': rng.choice(ACTIONS),
            'commitments': rng.choice(COMMITMENTS),
            'review_date': start + timedelta(days=60),
        })
        dossier.contracts.add(contract)
        referent = dossier.referent
        # the journal gets what the workflow writes: the draft and each transition,
        # dated when the contract was drawn up
        self.registry.getUtility(IClock).current = contract.created_at
        journal = lambda action: record(  # noqa: E731
            request, dossier.__name__, f'contract:{contract.__name__}', action, 2)
        consent = lambda kind, decision: contract.consents.append(  # noqa: E731
            ConsentRecord(kind, decision, self.now, 'paper', referent))
        consent('notice', 'given')
        CONTRACT_WORKFLOW.initialise(contract, request, channel='paper')
        journal('transition:draft')
        contract.touch(referent, contract.created_at)

        def run(name, **options):
            # as the AfterTransition subscriber does, less the journal entry;
            # the indexes are set once, for the final state, below
            CONTRACT_WORKFLOW.execute(contract, request, name, **options)
            contract.touch(referent, self.now)
            journal(f'transition:{name}')

        if state != 'draft':
            run('sign_paper', channel='paper')
        if state == 'signed':
            consent('processing', 'given')  # on the signed paper: ready to enter
        elif state == 'paper':
            consent('processing', 'refused')
            run('keep_on_paper')
        elif state in ('entered', 'shared', 'closed'):
            consent('processing', 'given')
            run('enter')
            if state == 'shared':
                consent('share_cli', 'given')
                run('share', fields=SHARED_FIELDS)
            elif state == 'closed':
                run('close', comment='Objectifs atteints.')
        contract.touch(referent, self.now)
        root.dossiers.reindex_contract(contract)
        self.registry.getUtility(IClock).current = self.now
        return contract

    # -- the whole département ----------------------------------------------

    def build(self, db, log=print):
        """Write the tier into ``db`` (already evolved); return a summary dict."""
        tm = transaction.TransactionManager(explicit=True)
        conn = db.open(transaction_manager=tm)
        try:
            with seeded_ids(self.rng):
                tm.begin()
                root = get_root(conn.root())
                districts = self.accounts(root)
                tm.commit()
                # dossier n goes to worker n mod workers: caseloads differ by at most one
                workers = [(d, uid) for d, uids in districts for uid in uids]
                total = self.tier.dossiers
                for first in range(1, total + 1, BATCH):
                    tm.begin()
                    root = get_root(conn.root())
                    for number in range(first, min(first + BATCH, total + 1)):
                        district, referent = workers[number % len(workers)]
                        self.dossier(root, number, district, referent)
                    tm.commit()
                    conn.cacheMinimize()
                    log(f'  {number} / {total} dossiers')
        finally:
            conn.close()
        return {}


def complete_login_steps(charter, user, now):
    """Do for ``user`` the steps of a first login (issue 18) the load clients
    do not: accept the charter in force, and enrol :data:`BENCH_TOTP_SECRET`
    if the account must have a second factor (the client types its code at
    each login).  Return whether anything was done."""
    done = False
    if is_staff(user) and not charter.accepted_current(user):
        charter.record_acceptance(user, charter.current.number, now)
        done = True
    if second_factor.required(user, {}) and not second_factor.enrolled(user):
        second_factor.enrol(user, BENCH_TOTP_SECRET, 0, now)
        done = True
    return done


def complete_all_login_steps(db, now=BENCH_NOW):
    """:func:`complete_login_steps` for every account of ``db`` (a database
    kept from before those steps, just evolved); return how many accounts
    needed it."""
    tm = transaction.TransactionManager(explicit=True)
    conn = db.open(transaction_manager=tm)
    try:
        with tm:
            root = get_root(conn.root())
            users = root.users
            return sum(complete_login_steps(root.charter, users[uid], now)
                       for uid in users.by_login.values())
    finally:
        conn.close()


def stamp_of(tier, seed=SEED):
    """What a kept database must match to be reused."""
    return {'generator_version': GENERATOR_VERSION, 'tier': asdict(tier), 'seed': seed}


def read_stamp(path):
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None


def generate(tier, db, journal_key, profile='default', seed=SEED, log=print):
    """Evolve ``db`` and build ``tier`` into it, sealing the journal's entries
    with ``journal_key``; return the stamp (with the logins)."""
    evolve(db, BENCH_NOW, log=lambda msg: None)
    generator = Generator(tier, journal_key, seed=seed, profile=profile)
    summary = generator.build(db, log=log)
    return dict(stamp_of(tier, seed), logins=generator.logins, **summary)
