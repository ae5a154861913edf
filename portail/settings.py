"""Typed Portail settings, read once from the ini file at start-up.

Every ``portail.*`` setting has a default here so that an ini file only
lists what it changes.  The parsed values replace the raw strings in the
registry settings, so code reads ``settings['portail.session_idle_minutes']``
as an ``int``.
"""
from datetime import date

from pyramid.settings import asbool

from portail.brand import DEFAULT_PRIMARY, DEFAULT_PRIMARY_TEXT, check_brand, colour
from portail.legal import ACCESSIBILITY_STATUSES
from portail.limits import DEFAULT_MAX_REQUEST_BYTES
from portail.outage import apply_storage_wait
from portail.publicurl import DEFAULT as DEFAULT_PUBLIC_URL
from portail.publicurl import parse_public_url


def positive_int(raw):
    value = int(raw)
    if value < 1:
        raise ValueError(f'{raw!r}: a positive number expected')
    return value


def iso_date(raw):
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise ValueError(f'{raw!r}: a date written YYYY-MM-DD expected') from None


def accessibility_status(raw):
    value = raw.strip()
    if value not in ACCESSIBILITY_STATUSES:
        raise ValueError(f'{raw!r}: one of {", ".join(ACCESSIBILITY_STATUSES)} expected')
    return value


#: how a client may authenticate at the provider's token endpoint
TOKEN_AUTH_METHODS = ('client_secret_basic', 'client_secret_post')


def token_auth_method(raw):
    value = raw.strip()
    if value not in TOKEN_AUTH_METHODS:
        raise ValueError(f'{raw!r}: one of {", ".join(TOKEN_AUTH_METHODS)} expected')
    return value


DEFAULTS = {
    # Accounts (docs/domain.md, *Accounts and passwords*)
    'portail.password_min_length': (int, 12),
    'portail.password_max_age_days': (int, 90),  # 0 disables expiry
    'portail.max_failed_logins': (int, 3),
    'portail.argon2_profile': (str, 'default'),  # 'fast' only in tests
    # every staff account must have a second factor, not only admin and dpo
    # (portail/auth/second_factor.py); beneficiaries never
    'portail.second_factor_for_all_staff': (asbool, False),
    # Sessions (docs/domain.md, *Sessions*)
    'portail.session_idle_minutes': (int, 15),
    'portail.session_max_hours': (int, 10),
    'portail.session_touch_seconds': (int, 60),
    'portail.secure_cookies': (asbool, True),
    # Retention of dossiers (docs/domain.md, *Rights of the person*): years after the last contact
    'portail.retention_years': (int, 2),
    # Access journal (docs/domain.md, *Access journal*): 6 to 12 months per the CNIL
    'portail.journal_retention_months': (int, 12),
    # its key (portail/journal/key.py): a file outside the databases and their backups
    'portail.journal_key_file': (str, ''),
    # its anchors (portail/journal/anchorfile.py): an append-only file to keep off the
    # machine, and RFC 3161 timestamps from a time-stamping authority (both optional)
    'portail.journal_anchor_file': (str, ''),
    'portail.journal_tsa_url': (str, ''),
    'portail.journal_tsa_ca_file': (str, ''),
    # The DPO's unusual-access report (portail/journal/activity.py): an account's
    # day is listed above this many identity lookups, or from this many reads
    # within ten minutes
    'portail.unusual_lookups_per_day': (positive_int, 20),
    'portail.unusual_burst_reads': (positive_int, 30),
    # Statistics (docs/domain.md, *CLI and statistics*): counts below this show as
    # "< 5" (secret statistique)
    'portail.statistics_threshold': (int, 5),
    # Storage outages (portail/outage.py): how long a ZEO client waits for its
    # server before the request gets the 503 page, in seconds (at least 1); the
    # wait_timeout of every zeo:// URI that does not set its own
    'portail.storage_wait_seconds': (int, 3),
    # The health check (portail/health.py, GET /health): the journal writer is
    # late, and the portal "degraded", when an outbox record has waited longer
    # than this, in seconds
    'portail.health_outbox_max_age_seconds': (positive_int, 300),
    # Garbage collector of the server process (portail/gcpolicy.py)
    'portail.gc_freeze': (asbool, False),
    'portail.gc_thresholds': (str, ''),
    # Letters (docs/letters.md): the département's name and logo (a file, PNG,
    # JPEG or SVG; empty: the portal's plain emblem) on every letter, and the
    # folder of the département's own letter templates (a file there named
    # like one of portail/letters/templates/ replaces it; empty: none)
    'portail.departement_name': (str, 'Département de démonstration'),
    'portail.departement_logo': (str, ''),
    'portail.letters_dir': (str, ''),
    # The département's brand (portail/brand.py): the name and logo above are
    # shown in the header of every page, its title, the printable contract and
    # the letters; the main colour (links, borders, buttons; #rrggbb) and the
    # colour of text on it.  Start-up refuses a malformed colour, a contrast
    # below 4.5:1 (WCAG AA) on white or between the two, and a logo that is
    # not a readable PNG, JPEG or SVG file.  Never the State's colours nor its
    # Marianne font (DSFR), reserved to State sites.
    'portail.brand_primary': (colour, DEFAULT_PRIMARY),
    'portail.brand_primary_text': (colour, DEFAULT_PRIMARY_TEXT),
    # The legal pages (portail/legal.py; /notice, /legal, /accessibility): the
    # controller and publisher of the portal (the département: its name above,
    # its postal address, its phone, optional), the director of publication (a
    # function, e.g. the president of the departmental council), the data
    # protection officer's postal address and e-mail (optional), the host
    # (name, address, phone: optional), the contact for accessibility (an
    # e-mail, a postal address or a form's address) and the date the
    # accessibility statement was established (YYYY-MM-DD).  The defaults
    # describe the demonstration département: set each one in production.
    'portail.departement_address': (str, '1 place de la Démonstration, 00000 Démonstration'),
    'portail.departement_phone': (str, ''),
    'portail.publication_director': (
        str, 'Le président du conseil départemental du Département de démonstration'),
    'portail.dpo_address': (
        str, 'Délégué à la protection des données, Département de démonstration, '
             '1 place de la Démonstration, 00000 Démonstration'),
    'portail.dpo_email': (str, 'dpo@departement-demonstration.invalid'),
    'portail.host_name': (str, 'Département de démonstration, direction des systèmes '
                               "d'information"),
    'portail.host_address': (
        str, '1 place de la Démonstration, 00000 Démonstration'),
    'portail.host_phone': (str, ''),
    'portail.accessibility_contact': (str, 'accessibilite@departement-demonstration.invalid'),
    'portail.accessibility_statement_date': (iso_date, date(2026, 11, 29)),
    # the conformity status the statement and every page's footer declare
    # (RGAA 4.1): `none` (non conforme) until an audit of the RGAA criteria
    # gives `partial` (at least half of them met) or `full`; the RGAA declares
    # a site without such an audit non-compliant (docs/accessibility.md)
    'portail.accessibility_status': (accessibility_status, 'none'),
    # Workflow (docs/domain.md, *Workflow*)
    'portail.secretaries_enter_contracts': (asbool, True),
    # Tests and the benchmark only, never in production: an ISO 8601 date and
    # time (UTC without an offset) the portal's clock shows instead of the
    # real time (portail/clock.py)
    'portail.fixed_clock': (str, ''),
    # Hostile input (issue 13).  The largest request body accepted, in bytes
    # (portail/limits.py): a larger one gets a French 413 page, unread.
    'portail.max_request_bytes': (positive_int, DEFAULT_MAX_REQUEST_BYTES),
    # The address people type to reach the portal (portail/publicurl.py):
    # every link and redirect is built from it, never from the Host header.
    # The default is the address `make run` serves (development.ini); set it
    # in production (https://..., the reverse proxy's address).
    'portail.public_url': (parse_public_url, DEFAULT_PUBLIC_URL),
    # Single sign-on of the agents with OpenID Connect (portail/auth/oidc.py;
    # README, "Connecting an identity provider").  An empty issuer turns it
    # off (no button on the login page).  The issuer is the provider's URL as
    # its discovery document names it; the client secret is read at start-up
    # from its file (outside the ini file); the claim named by account_claim
    # must equal the login of a Portail account; provider_name labels the
    # login page's button (e.g. ProConnect; empty: "the identity
    # provider").
    'portail.oidc_issuer': (str.strip, ''),
    'portail.oidc_client_id': (str.strip, ''),
    'portail.oidc_client_secret_file': (str.strip, ''),
    'portail.oidc_scopes': (str.strip, 'openid profile email'),
    'portail.oidc_account_claim': (str.strip, 'preferred_username'),
    'portail.oidc_provider_name': (str.strip, ''),
    # how Portail authenticates at the token endpoint
    'portail.oidc_token_auth_method': (token_auth_method, 'client_secret_basic'),
    # false: agents log in only through the identity provider (a staff
    # account's password is refused); beneficiaries always log in locally
    'portail.local_staff_passwords': (asbool, True),
}


def parse_settings(settings):
    """Return a copy of ``settings`` with every ``portail.*`` value typed."""
    parsed = dict(settings)
    parsed.setdefault('pyramid.default_locale_name', 'fr')
    # a request that meets a ConflictError is run again, after a pause (backoff)
    parsed.setdefault('retry.attempts', '5')
    parsed.setdefault('tm.manager_hook', 'pyramid_tm.explicit_manager')
    # the health check runs outside any transaction (portail/health.py)
    parsed.setdefault('tm.activate_hook', 'portail.health.transaction_wanted')
    for key, (convert, default) in DEFAULTS.items():
        raw = parsed.get(key)
        try:
            parsed[key] = default if raw is None or raw == '' else convert(raw)
        except ValueError as error:
            # start-up stops on a message that names the setting
            raise type(error)(f'{key}: {error}') from None
    apply_storage_wait(parsed)
    check_brand(parsed)
    return parsed
