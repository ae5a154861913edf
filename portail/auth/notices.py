"""Telling an account, at its next login, what an administrator did to it
(docs/domain.md, *Accounts and passwords*): a reset of its password
(:mod:`portail.auth.login`) or of its second factor
(:mod:`portail.auth.second_factor`)."""
from portail.i18n import _
from portail.timefmt import LOCAL_ZONE

#: who reset it, when the administrator's account no longer exists
SOME_ADMINISTRATOR = _('an administrator')


def told_resets(users, resets, notice, translate):
    """The messages ``notice`` (with ``who``, ``date`` and ``time``) telling an
    account of ``resets``, ``(administrator uid, utc datetime)`` pairs, oldest
    first, translated with ``translate``.  The caller empties its list: each
    reset is told once."""
    notices = []
    for by, at in resets:
        admin = users.get(by)
        local = at.astimezone(LOCAL_ZONE)
        notices.append(translate(_(notice, mapping={
            'who': admin.fullname if admin is not None else translate(SOME_ADMINISTRATOR),
            'date': local.strftime('%d/%m/%Y'), 'time': local.strftime('%H:%M')})))
    return notices
