"""What pages call things: the labels of codes (roles, consent kinds,
decisions, channels, opinions, contract fields) and the names of people and
districts.  Shared by the view modules, which never import one another
(helpers live in modules without views: this one, :mod:`.forms`,
:mod:`.contract_display`, :mod:`.listings`, :mod:`.layout`)."""
from portail.acl import roles as R
from portail.i18n import _

#: what a manager without a district is called: the département's director
DIRECTOR = 'director'

ROLE_LABELS = {
    R.WORKER: _('social worker'),
    R.SECRETARY: _('secretary'),
    R.BENEFICIARY: _('beneficiary'),
    R.CLI: _('CLI facilitator'),
    R.MANAGER: _('district manager'),
    DIRECTOR: _('director of the département'),
    R.ADMIN: _('account administrator'),
    R.DPO: _('data protection officer'),
    R.API_FEED: _("the département's information system"),
}

CHANNEL_LABELS = {'online': _('online'), 'paper': _('on paper'), 'in_person': _('in person')}
KIND_LABELS = {
    'notice': _('information notice delivered'),
    'processing': _('computerised processing'),
    'share_cli': _('sharing with the CLI'),
}
DECISION_LABELS = {'given': _('given'), 'refused': _('refused'), 'withdrawn': _('withdrawn')}
OPINION_LABELS = {'favourable': _('favourable'), 'reserved': _('reserved'),
                  'adjourned': _('adjourned')}

#: each consent explained to the person in two plain sentences (issue 17):
#: what is shared and with whom; what happens if they refuse or withdraw it
CONSENT_EXPLANATIONS = {
    'processing': (
        _('Your contract is recorded in the computer system of the Département. Only the '
          'professionals who work with you can read it.'),
        _('If you say no, or change your mind later, your contract stays on paper only. '
          'You are helped in the same way.')),
    'share_cli': (
        _('Part of your contract is sent to the local commission for insertion. Your '
          'référent chooses what is sent, and you can see it.'),
        _('If you say no, the commission receives nothing. If you change your mind later, '
          'its copy is deleted at once. You are helped in the same way.')),
}

#: under every text the beneficiary will read (contract fields, notes)
READ_BY_BENEFICIARY = _(
    'The beneficiary reads this text: write only objective elements that the '
    'follow-up needs.')


def user_name(request, uid):
    if uid in (None, 'system'):
        return request.localizer.translate(_('the portal (automatic)'))
    user = request.root.users.get(uid)
    return user.fullname if user is not None else '?'


def district_name(request, district_id):
    district = request.root.districts.get(district_id)
    return district.name if district is not None else ''
