"""The insertion contract and its consent records (docs/domain.md, *Workflow*).

The contract's fields are exactly those of docs/domain.md, *The insertion contract*
(:data:`CONTENT_FIELDS`);
there is no other place to write about the person.  ``history`` and
``consents`` are append-only sequences of frozen records (the history a
:class:`~portail.models.history.History`, whose append writes a bounded
amount however long it is; the consents a ``PersistentList``); ``versions``
keeps the content of earlier versions after an amendment.  The contract's ``__acl__``
is computed from its state by the access matrix (:mod:`portail.acl.matrix`).
"""
import calendar
import hashlib
import json
from dataclasses import dataclass
from datetime import date

from persistent import Persistent
from persistent.list import PersistentList

from portail.acl.matrix import ComputedACL
from portail.i18n import _
from portail.models.container import DossierItem
from portail.models.history import History

#: the fixed list of themes (docs/domain.md, *The insertion contract*): code → label
THEMES = {
    'emploi': _('employment'),
    'formation': _('training'),
    'logement': _('housing'),
    'sante': _('access to health care'),
    'vie_sociale': _('social life'),
    'mobilite': _('mobility'),
    'budget': _('budget'),
    'demarches': _('administrative procedures'),
}

#: every field entered about a contract
CONTENT_FIELDS = ('start_date', 'duration_months', 'themes', 'actions', 'commitments',
                  'review_date')
#: the label of each field of a contract, and of the identity and the
#: référent's name it may share with the CLI, as forms, pages and the CLI's
#: copy show them
FIELD_LABELS = {
    'identity': _('Name and first names'),
    'referent': _('Name of the référent'),
    'start_date': _('Start date'),
    'duration_months': _('Duration (months)'),
    'themes': _('Themes'),
    'actions': _('Actions agreed'),
    'commitments': _('Commitments of the service'),
    'review_date': _('Next review date'),
}
#: what a contract kept on paper still holds (docs/domain.md, *Workflow*, "keep on paper")
PAPER_FIELDS = ('start_date', 'duration_months')

CONSENT_KINDS = ('notice', 'processing', 'share_cli')
DECISIONS = ('given', 'refused', 'withdrawn')
CHANNELS = ('online', 'paper', 'in_person')


def add_months(day, months):
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class ConsentRecord:
    """One consent decision; never changed once written (a change is a new record)."""

    kind: str
    decision: str
    at: object
    channel: str
    recorded_by: str
    note: str = ''


def contract_state(contract):
    return contract.state


def signed_at(contract):
    """When ``contract`` was signed: the last line of its history that signed it."""
    for step in reversed(contract.history):
        if step.target == 'signed':
            return step.at
    return contract.modified_at


class Contract(DossierItem, Persistent):
    """One insertion contract of a dossier."""

    #: the row of the access matrix of its workflow state (docs/security.md)
    __acl__ = ComputedACL('contract', contract_state)
    #: (district, counter keys) it counts under in the statistics (issue 6)
    stat_keys = None
    #: (district, key) of the contract in the secretaries' entry queue while signed
    queue_key = None
    #: whether that queue is the one of the contracts ready to enter (the
    #: person's consent to the processing given) or of those waiting for it
    queue_ready = True
    #: when the référent (or a delegate) first read the CLI's opinion ("À traiter")
    cli_opinion_seen_at = None
    #: the date the beneficiary signed the printed contract, as the référent
    #: recorded it (``None``: not recorded; the history line of the signature
    #: says when it was recorded).  A class default: older contracts have none.
    signed_on = None

    def __init__(self):
        self.state = None
        self.version = 1
        self.start_date = None
        self.duration_months = None
        self.themes = ()
        self.actions = ''
        self.commitments = ''
        self.review_date = None
        #: SHA-256 of the content the beneficiary signed
        self.fingerprint = None
        #: the fields the référent chose to share with the CLI
        self.cli_fields = ()
        #: name of the CliSummary under /cli/<district>/ while shared
        self.cli_summary = None
        self.cli_opinion = None
        self.history = History()
        self.consents = PersistentList()
        self.versions = PersistentList()
        self.index_keys = None
        self.created_at = None
        self.modified_at = None
        self.modified_by = None

    @property
    def end_date(self):
        if self.start_date is None or not self.duration_months:
            return None
        return add_months(self.start_date, self.duration_months)

    def content(self):
        """The content fields as plain JSON-ready values."""
        return {
            'start_date': self.start_date.isoformat() if self.start_date else None,
            'duration_months': self.duration_months,
            'themes': sorted(self.themes),
            'actions': self.actions,
            'commitments': self.commitments,
            'review_date': self.review_date.isoformat() if self.review_date else None,
        }

    def compute_fingerprint(self):
        payload = json.dumps({'version': self.version, **self.content()}, sort_keys=True)
        return hashlib.sha256(payload.encode('utf-8')).hexdigest()

    def set_content(self, values):
        for name in CONTENT_FIELDS:
            if name in values:
                setattr(self, name, values[name])
        self.themes = tuple(sorted(self.themes))

    def erase_computerised_content(self):
        """Keep only existence, dates and district (refusal of processing)."""
        self.themes = ()
        self.actions = ''
        self.commitments = ''
        self.review_date = None
        self.cli_fields = ()
        del self.versions[:]

    def latest_consent(self, kind):
        for record in reversed(self.consents):
            if record.kind == kind:
                return record
        return None

    def has_consent(self, kind):
        record = self.latest_consent(kind)
        return record is not None and record.decision == 'given'

    def touch(self, uid, now):
        self.modified_by = uid
        self.modified_at = now
