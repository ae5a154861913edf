"""What the legal pages say that comes from the settings or the code
(README, *Legal pages, brand and licence*).

Three public pages read :class:`LegalFacts`: the information notice on the
processing (``/notice``, GDPR article 13), the accessibility statement
(``/accessibility``, RGAA 4.1) and the legal notice (``/legal``, the
*mentions légales* of the LCEN, article 6).  The notice is also printed in
every paper contract (``templates/contracts/print.pt``), so the facts are
offered to every template as ``ui.legal`` (:mod:`portail.views.layout`).

Nothing here is hard-coded that a setting holds: the retention periods are
``portail.retention_years`` and ``portail.journal_retention_months``, the
fields a CLI may receive are the workflow's :data:`SHAREABLE_FIELDS`.
"""
from dataclasses import dataclass

from portail.i18n import _
from portail.models.contract import FIELD_LABELS
from portail.workflow.contract import SHAREABLE_FIELDS

#: the supervisory authority (GDPR article 77), its postal address and site
CNIL_ADDRESS = ('CNIL, '
                '3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07')
CNIL_URL = 'https://www.cnil.fr/fr/plaintes'
#: the recourse of the accessibility statement (RGAA, loi 2005-102, article 47)
DEFENSEUR_FORM_URL = 'https://formulaire.defenseurdesdroits.fr/'
DEFENSEUR_DELEGATES_URL = 'https://www.defenseurdesdroits.fr/carte-des-delegues'
DEFENSEUR_ADDRESS = 'Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07'
#: the licence of the software (LICENSE, setup.cfg, publiccode.yml)
LICENCE = 'EUPL-1.2'
LICENCE_URL = 'https://interoperable-europe.ec.europa.eu/collection/eupl/eupl-text-eupl-12'

#: the conformity statuses of the RGAA, as the footer of every page says them
ACCESSIBILITY_STATUSES = {
    'none': _('Accessibility: not compliant'),
    'partial': _('Accessibility: partially compliant'),
    'full': _('Accessibility: fully compliant'),
}

#: the pages the browser suite audits with axe-core (tests/browser), by kind,
#: for the accessibility statement; keep in step with the journeys
AUDITED_PAGES = (
    _('the login page'),
    _('the home page of each role: social worker, secretary, CLI facilitator, person '
      'followed, district manager, account administrator, data protection officer'),
    _('the caseload of a social worker (search, filters, pages) and a dossier'),
    _('a new contract, its page, the printable contract and the paper signature'),
    _('working notes and the entrusting of dossiers during an absence'),
    _('the pages of the person followed, on a phone: signing, consents, the contract in '
      'simple words, the copy of their data, who consulted their dossier, their contact '
      'details, their letters'),
    _("the secretaries' contracts to enter"),
    _("the CLI's worklist, its commission sessions and their minutes"),
    _('the anonymous statistics'),
    _('the transfer of a dossier between districts and the district caseloads'),
    _("the data protection officer's access journals and unusual-access report"),
    _('the districts kept by the account administrator'),
    _('the information notice, its easy-to-read version, this accessibility statement and '
      'the legal notice'),
)


@dataclass(frozen=True)
class LegalFacts:
    """The settings the legal pages show, typed (see ``portail/settings.py``)."""

    controller: str
    controller_address: str
    controller_phone: str
    director: str
    dpo_address: str
    dpo_email: str
    host_name: str
    host_address: str
    host_phone: str
    accessibility_contact: str
    statement_date: object  # datetime.date
    accessibility_status: str
    retention_years: int
    journal_months: int

    @property
    def retention(self):
        """How long a dossier is kept after the last contact, as words."""
        n = self.retention_years
        return _('one year') if n == 1 else _('${n} years', mapping={'n': n})

    @property
    def journal_retention(self):
        n = self.journal_months
        return _('one month') if n == 1 else _('${n} months', mapping={'n': n})

    @property
    def cli_fields(self):
        """The labels of the fields a CLI may receive, in the workflow's order."""
        return [FIELD_LABELS[name] for name in SHAREABLE_FIELDS]

    @property
    def accessibility_label(self):
        """The footer's link: "Accessibility: <status>" (RGAA)."""
        return ACCESSIBILITY_STATUSES[self.accessibility_status]

    @property
    def contact_is_email(self):
        return '@' in self.accessibility_contact and ' ' not in self.accessibility_contact.strip()

    @property
    def contact_is_url(self):
        return self.accessibility_contact.startswith(('https://', 'http://'))

    cnil_address = CNIL_ADDRESS
    cnil_url = CNIL_URL
    defenseur_form_url = DEFENSEUR_FORM_URL
    defenseur_delegates_url = DEFENSEUR_DELEGATES_URL
    defenseur_address = DEFENSEUR_ADDRESS
    licence = LICENCE
    licence_url = LICENCE_URL
    audited_pages = AUDITED_PAGES


#: where the settings keep their :class:`LegalFacts` (see :func:`kept_legal_facts`)
KEPT_KEY = 'portail.legal_facts'


def kept_legal_facts(settings):
    """The :class:`LegalFacts` of ``settings``, built at the first page and
    kept in them (the footer of every page reads them; settings do not change
    while the process runs, as :func:`portail.brand.brand_of` assumes too)."""
    facts = settings.get(KEPT_KEY)
    if facts is None:
        facts = settings[KEPT_KEY] = legal_facts(settings)
    return facts


def legal_facts(settings):
    """The :class:`LegalFacts` of the typed ``settings``."""
    return LegalFacts(
        controller=settings['portail.departement_name'],
        controller_address=settings['portail.departement_address'],
        controller_phone=settings['portail.departement_phone'],
        director=settings['portail.publication_director'],
        dpo_address=settings['portail.dpo_address'],
        dpo_email=settings['portail.dpo_email'],
        host_name=settings['portail.host_name'],
        host_address=settings['portail.host_address'],
        host_phone=settings['portail.host_phone'],
        accessibility_contact=settings['portail.accessibility_contact'],
        statement_date=settings['portail.accessibility_statement_date'],
        accessibility_status=settings['portail.accessibility_status'],
        retention_years=settings['portail.retention_years'],
        journal_months=settings['portail.journal_retention_months'],
    )
