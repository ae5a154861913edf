"""What the commands check of an ini file and of the FileStorage databases
it names, before the application opens them.

Opening a FileStorage creates its file when it is missing, so a command
that opened a mistyped or not yet initialised path would leave an empty
database behind.  Only ``portail-init`` creates databases (and the folders
that hold them, e.g. ``var/``); every other command needs them to exist.
ZEO and PostgreSQL databases are reached through their server, so only
``file://`` URIs can be checked here.
"""
import configparser
import os

from pyramid.paster import get_appsettings
from pyramid_zodbconn import get_uris
from ZODB.FileStorage.FileStorage import packed_version

#: the URI scheme of a FileStorage database (zodburi)
FILE_SCHEME = 'file://'


class CommandError(Exception):
    """A problem with the command's input or environment that the user can
    fix: reported as one line on standard error, exit status 1."""


def read_settings(ini_path):
    """Return the raw ``[app:main]`` settings of ``ini_path``, or raise
    :class:`CommandError` saying why the file cannot be used."""
    if not os.path.exists(ini_path):
        raise CommandError(f'the configuration file {ini_path} does not exist')
    if not os.path.isfile(ini_path):
        raise CommandError(f'{ini_path} is not a configuration file (e.g. development.ini)')
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(ini_path, encoding='utf-8')
    except (configparser.Error, UnicodeDecodeError) as error:
        first_line = str(error).splitlines()[0]
        raise CommandError(f'{ini_path} is not an ini file ({first_line})') from None
    except OSError as error:
        raise CommandError(f'cannot read {ini_path}: {error.strerror}') from None
    if not parser.has_section('app:main'):
        raise CommandError(f'{ini_path} has no [app:main] section: '
                           'give the portal\'s ini file (e.g. development.ini)')
    try:
        return get_appsettings(ini_path)
    except (configparser.Error, LookupError, ImportError, OSError) as error:
        first_line = str(error).splitlines()[0]
        raise CommandError(f'cannot read the settings of {ini_path}: {first_line}') from None


def file_storage_paths(settings):
    """Return the paths of the FileStorage databases the settings name,
    primary first, parsed as zodburi does (everything after ``file://`` up
    to the query string)."""
    paths = []
    for _name, uri in get_uris(settings):
        uri = uri.strip()
        if uri.startswith(FILE_SCHEME):
            path = uri[len(FILE_SCHEME):].split('?', 1)[0]
            paths.append(os.path.normpath(path))
    return paths


def check_databases(paths, ini_path, create=False):
    """Raise :class:`CommandError` unless every path is a FileStorage file;
    with ``create``, a missing one is allowed and its folder is created."""
    for path in paths:
        if not os.path.exists(path) and create:
            folder = os.path.dirname(path)
            try:
                os.makedirs(folder, exist_ok=True)
            except OSError as error:
                raise CommandError(f'cannot create the folder {folder}: {error.strerror}') \
                    from None
            continue
        if not os.path.isfile(path):
            raise CommandError(f'the database {path} does not exist: '
                               f'run portail-init {ini_path}')
        with open(path, 'rb') as file:
            magic = file.read(len(packed_version))
        # an empty file is a database that was never written to
        if magic and magic != packed_version:
            raise CommandError(f'{path} is not a FileStorage database file')
