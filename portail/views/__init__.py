"""Views.  Each module holds the views of one area; every view declares a
permission (the default permission protects any that would forget)."""
import os

STATIC_DIR = os.path.join(os.path.dirname(__file__), '..', '..', 'static')


def includeme(config):
    config.add_static_view('static', os.path.abspath(STATIC_DIR), cache_max_age=3600)
    config.include('portail.views.layout')
    config.include('portail.views.health')
