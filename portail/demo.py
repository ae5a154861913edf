"""The demo département: two districts and one account per role (README).

Every demo account has the password :data:`DEMO_PASSWORD`, which never
expires.  Later issues add demo dossiers and contracts here.
"""
from portail.auth.passwords import hash_password
from portail.models.district import District
from portail.models.user import User

DEMO_PASSWORD = 'Portail-Demo-2026'  # noqa: S105 (published in the README)

DISTRICTS = (
    ('Circonscription Nord', 'CLI du Nord'),
    ('Circonscription Sud', 'CLI du Sud'),
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
    ('beneficiary1', 'Bernard Bénéficiaire', ('beneficiary',), 1, False),
    ('beneficiary2', 'Béatrice Bénéficiaire', ('beneficiary',), 2, False),
)


def has_demo(root):
    return root.users.find_login('admin1') is not None


def create_demo(root, now, profile='default'):
    """Add the demo districts and accounts to ``root``; return the logins."""
    district_ids = [root.districts.add(District(name, cli)) for name, cli in DISTRICTS]
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
    return logins
