"""``portail-create-admin CONFIG.ini LOGIN "Full name"``: the first administrator.

The password is read from the terminal (twice), or from standard input with
``--password-stdin``; it must follow the password rules.
"""
import argparse
import getpass
import sys

from pyramid.interfaces import ILocalizer

from portail.acl.roles import ADMIN
from portail.auth.login import set_password
from portail.auth.passwords import password_problems
from portail.clock import utcnow
from portail.models.user import User
from portail.scripts import application, command, portal_root


@command('portail-create-admin')
def main(argv=None):
    parser = argparse.ArgumentParser(description='Create an account administrator.')
    parser.add_argument('config')
    parser.add_argument('login')
    parser.add_argument('fullname')
    parser.add_argument('--password-stdin', action='store_true')
    args = parser.parse_args(argv)
    with application(args.config) as registry:
        return create(registry, args)


def create(registry, args):
    settings = registry.settings
    if args.password_stdin:
        password = sys.stdin.readline().rstrip('\n')
    else:
        password = getpass.getpass('Password: ')
        if getpass.getpass('Again: ') != password:
            print('The two passwords differ.', file=sys.stderr)
            return 1
    problems = password_problems(password, settings['portail.password_min_length'],
                                 login=args.login, names=[args.fullname])
    if problems:
        # in the portal's language, as the people who will log in read it
        localizer = registry.getUtility(
            ILocalizer, name=settings.get('pyramid.default_locale_name', 'fr'))
        for problem in problems:
            print(localizer.translate(problem), file=sys.stderr)
        return 1
    now = utcnow(registry)
    with portal_root(registry, 'create administrator') as root:
        if root.users.find_login(args.login) is not None:
            print('This login is taken.', file=sys.stderr)
            return 1
        user = User(args.login, args.fullname, (ADMIN,))
        user.created_at = now
        set_password(user, password, now, settings['portail.argon2_profile'],
                     must_change=False)
        root.users.add_user(user)
    print(f'Administrator {args.login} created.')
    return 0
