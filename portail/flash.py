"""One-shot messages shown on the next page, kept in the server session."""
from portail.auth.sessions import current_identity


def flash(request, message, kind='info'):
    """Queue ``message`` (translated now) for the next page of this session."""
    identity = current_identity(request)
    if identity is not None:
        flash_session(request, identity.session, message, kind)


def pop_flash(request):
    """Return and clear the queued ``(kind, text)`` messages."""
    identity = current_identity(request)
    if identity is None or not identity.session.flash:
        return []
    messages = list(identity.session.flash)
    del identity.session.flash[:]
    return messages


def flash_session(request, session, message, kind='info'):
    """Queue ``message`` in ``session`` (used at login, before the cookie exists)."""
    session.flash.append((kind, request.localizer.translate(message)))
