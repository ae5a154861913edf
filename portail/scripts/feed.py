"""``portail-feed``: the feed to the departmental information system (docs/feed.md).

- ``portail-feed CONFIG.ini --after N [--limit N]`` prints the items after
  cursor ``N`` as ``GET /feed`` answers them (JSON), journaling each on its
  dossier as the endpoint does: for a département that pulls from the
  server itself;
- ``portail-feed create-token CONFIG.ini LOGIN ["Full name"]`` creates the API
  account ``LOGIN`` if needed and gives it a new token, printed once (it
  replaces the previous one: rotation);
- ``portail-feed revoke-token CONFIG.ini LOGIN`` removes the account's token.
"""
import argparse
import json
import sys

from portail.clock import utcnow
from portail.feed.delivery import MAX_LIMIT, BadParameter, deliver, parse
from portail.feed.tokens import issue_token, revoke_token
from portail.scripts import application, command, portal_root
from portail.system import SystemRequest

NAME = 'portail-feed'
DEFAULT_FULLNAME = "Système d'information du département"
WRONG = {'after': '--after: a whole number, 0 or more',
         'limit': f'--limit: a whole number from 1 to {MAX_LIMIT}'}


def _tokens_parser(action):
    parser = argparse.ArgumentParser(prog=f'{NAME} {action}')
    parser.add_argument('config')
    parser.add_argument('login')
    if action == 'create-token':
        parser.add_argument('fullname', nargs='?', default=DEFAULT_FULLNAME)
    return parser


def _feed_parser():
    parser = argparse.ArgumentParser(
        prog=NAME, description='Print the feed to the departmental information system (JSON). '
        'Also: portail-feed create-token CONFIG.ini LOGIN, portail-feed revoke-token '
        'CONFIG.ini LOGIN.')
    parser.add_argument('config')
    parser.add_argument('--after', default='0', help='the cursor: the last number received')
    parser.add_argument('--limit', default=None, help=f'items at most (1 to {MAX_LIMIT})')
    return parser


@command(NAME)
def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in ('create-token', 'revoke-token'):
        args = _tokens_parser(argv[0]).parse_args(argv[1:])
        with application(args.config) as registry:
            return _tokens(registry, argv[0], args)
    parser = _feed_parser()
    args = parser.parse_args(argv)
    try:
        cursor, limit = parse(args.after, args.limit)
    except BadParameter as wrong:
        parser.error(WRONG[str(wrong)])
    with application(args.config) as registry:
        with portal_root(registry, 'feed delivered') as root:
            answer = deliver(SystemRequest(registry, root), cursor, limit)
    print(json.dumps(answer, ensure_ascii=False, indent=1))
    return 0


def _tokens(registry, action, args):
    with portal_root(registry, f'feed {action}') as root:
        try:
            if action == 'revoke-token':
                revoke_token(root.users, args.login)
            else:
                user, token = issue_token(root.users, args.login, args.fullname,
                                          utcnow(registry))
        except ValueError as error:
            print(f'{NAME}: error: {error}', file=sys.stderr)
            return 1
    if action == 'revoke-token':
        print(f'The token of {args.login} is revoked.')
    else:
        print(f'Token of {args.login} (shown once, keep it secret; it replaces any '
              f'previous one):\n{token}')
    return 0
