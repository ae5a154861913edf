"""The département's brand served at fixed addresses (portail/brand.py): its
stylesheet ``/brand.css`` (the colours of the settings; the
Content-Security-Policy forbids inline styles) and its logo ``/brand-logo``
(the département's file, or the portal's plain emblem when none is set).

Both are public, hold no personal data and are computed from the settings
only, so browsers may keep them: the pages link them with ``?v=`` and a
digest of their content, which changes with the settings.
"""
from pyramid.response import Response
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import view_config

from portail.brand import logo_bytes, logo_type, stylesheet
from portail.headers import allow_caching
from portail.models.root import PortalRoot

#: how long a browser keeps them (a changed setting changes their ?v=)
MAX_AGE = 86400


def cacheable(request, body, content_type):
    allow_caching(request)
    response = Response(body=body, content_type=content_type)
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    return response


@view_config(context=PortalRoot, name='brand.css', permission=NO_PERMISSION_REQUIRED,
             request_method='GET')
def brand_css_view(request):
    css = stylesheet(request.registry.settings).encode('utf-8')
    response = cacheable(request, css, 'text/css')
    response.charset = 'utf-8'
    return response


@view_config(context=PortalRoot, name='brand-logo', permission=NO_PERMISSION_REQUIRED,
             request_method='GET')
def brand_logo_view(request):
    settings = request.registry.settings
    return cacheable(request, logo_bytes(settings), logo_type(settings))
