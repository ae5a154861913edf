"""Rights requests (docs/domain.md, *Rights of the person*): rectification, erasure,
limitation, objection.

A request goes to the référent, never to a manager, with the legal deadline
of one month; the answer is recorded on it and shown to the beneficiary.
"""
from persistent import Persistent

from portail.i18n import _
from portail.models.container import DossierItem
from portail.models.contract import add_months

KINDS = {
    'rectification': _('rectification'),
    'erasure': _('erasure'),
    'limitation': _('limitation of the processing'),
    'objection': _('objection to the processing'),
}
STATUSES = {'open': _('waiting for an answer'), 'accepted': _('accepted by the référent'),
            'refused': _('refused by the référent')}


class RightsRequest(DossierItem, Persistent):
    """One request and its answer."""

    def __init__(self, kind, text, channel, by, now):
        self.kind = kind
        self.text = text
        self.channel = channel
        self.created_by = by
        self.created_at = now
        #: the legal deadline: one month
        self.deadline = add_months(now.date(), 1)
        self.status = 'open'
        self.answer = ''
        self.answered_at = None
        self.answered_by = None
        #: for an accepted limitation: when the référent lifted it
        self.lifted_at = None
        self.modified_at = now
        self.modified_by = by

    @property
    def freezes(self):
        """An accepted limitation not lifted yet freezes the dossier's processing."""
        return self.kind == 'limitation' and self.status == 'accepted' and not self.lifted_at

    def overdue(self, today):
        return self.status == 'open' and today > self.deadline
