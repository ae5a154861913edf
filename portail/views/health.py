"""``GET /health``: the portal's health for monitoring (:mod:`portail.health`).

Public (a monitoring probe has no account), JSON, never cached (the
``Cache-Control: no-store`` of :mod:`portail.headers`): ``200`` with
``{"status": "ok", "checks": {...}}`` when every check passes, ``503`` with
``degraded`` or ``down`` otherwise.  It opens no transaction of the request,
touches no session, writes no journal entry and no security-log line.
"""
from pyramid.response import Response
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import view_config

from portail.health import OK, PATH, Health, report

ROUTE = 'health'


@view_config(route_name=ROUTE, context=Health, request_method=('GET', 'HEAD'),
             permission=NO_PERMISSION_REQUIRED)
def health_view(request):
    """The health report as JSON (no renderer: nothing of the layout runs)."""
    overall, checks = report(request.registry)
    return Response(json={'status': overall, 'checks': checks},
                    status=200 if overall == OK else 503, charset='utf-8')


def includeme(config):
    config.add_route(ROUTE, PATH, factory=Health)
