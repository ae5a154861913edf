"""The bearer tokens of the feed's API accounts (docs/feed.md, "Tokens").

An API account is a :class:`~portail.models.user.User` whose only role is
:data:`~portail.acl.roles.API_FEED`: no password (so the login form never
opens it), no district, no session.  It proves who it is with a token of 32
random bytes that an administrator creates with ``portail-feed
create-token`` and hands to the departmental system; the portal keeps only
the token's SHA-256 (:attr:`User.feed_token_hash`), shown nowhere, so a copy
of the database gives no usable token.  Creating a token again replaces the
previous one (rotation); revoking it leaves the account without any.
"""
import hashlib
import hmac
import secrets

from portail.acl.roles import API_FEED
from portail.models.user import User


def token_hash(token):
    return hashlib.sha256(token.encode('utf-8')).hexdigest()


def new_token():
    """A new token: 32 random bytes, URL-safe base 64."""
    return secrets.token_urlsafe(32)


def is_api_account(user):
    """Whether ``user`` is an API account of the feed: its only role is
    :data:`~portail.acl.roles.API_FEED`."""
    return tuple(user.roles) == (API_FEED,)


def api_accounts(users):
    """The API accounts of the feed."""
    return users.with_role('', API_FEED)


def find_account(users, token):
    """The API account whose token is ``token``, or ``None``.  Every
    account's hash is compared in constant time."""
    digest = token_hash(token)
    found = None
    for user in api_accounts(users):
        stored = user.feed_token_hash
        if stored and hmac.compare_digest(stored, digest):
            found = user
    return found


def issue_token(users, login, fullname, now):
    """Give the API account ``login`` a new token (creating the account if
    needed); return ``(account, token)``: the token is shown once and never
    stored.  Raise :class:`ValueError` if ``login`` is a person's account."""
    user = users.find_login(login)
    if user is None:
        user = User(login, fullname, (API_FEED,))
        user.created_at = now
        user.must_change_password = False
        users.add_user(user)
    elif not is_api_account(user):
        raise ValueError('this login is the account of a person, not an API account')
    token = new_token()
    user.feed_token_hash = token_hash(token)
    user.feed_token_created_at = now
    return user, token


def revoke_token(users, login):
    """Remove the token of the API account ``login``; return the account.
    Raise :class:`ValueError` if there is no such API account."""
    user = users.find_login(login)
    if user is None or not is_api_account(user):
        raise ValueError('no API account has this login')
    user.feed_token_hash = None
    user.feed_token_created_at = None
    return user
