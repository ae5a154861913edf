"""The outermost tween: no failure reaches the server as a bare error page.

Pyramid renders exception views for what a view raises, but some failures
happen outside the exception-view tween: ``pyramid_tm`` asks for the user
before the view and commits after it (a database that is down, a conflict on
the last attempt), and ``pyramid_retry`` re-raises what it gives up on
instead of rendering it.  Waitress would then answer with its bare English
"Internal Server Error".

This tween, outside every other, lets a retryable error through while
``pyramid_retry`` still has an attempt left, and otherwise answers with the
portal's French error page (:mod:`portail.views.errors`, rendered without
touching any database), or, should that fail too, with a fixed French page
built from constants.
"""
import logging
import sys

from pyramid.response import Response
from pyramid.tweens import INGRESS
from pyramid_retry import is_error_retryable, is_last_attempt

log = logging.getLogger(__name__)

FALLBACK = (
    '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    '<title>Erreur inattendue — Portail</title></head><body><main>'
    '<h1>Erreur inattendue</h1><p>Un problème est survenu de notre côté ; rien n’a été '
    'enregistré. Merci de réessayer dans un moment.</p></main></body></html>')


def last_resort_tween_factory(handler, registry):
    def last_resort_tween(request):
        try:
            return handler(request)
        except Exception as exc:
            if is_error_retryable(request, exc) and not is_last_attempt(request):
                raise
            exc_info = sys.exc_info()
            try:
                return request.invoke_exception_view(exc_info)
            except Exception:
                log.exception('The error page itself failed on %s %s', request.method,
                              request.path_info)
                return fallback_response()
            finally:
                del exc_info

    return last_resort_tween


def fallback_response():
    """A French 500 page made of constants (the router's ``NewResponse`` event
    still adds the security headers of :mod:`portail.headers`)."""
    return Response(FALLBACK, status=500, content_type='text/html', charset='utf-8')


def includeme(config):
    config.add_tween('portail.lastresort.last_resort_tween_factory', under=INGRESS)
