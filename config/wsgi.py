"""WSGI entry point.

The URL configuration (and with it the API's schema models, several seconds of a core) is loaded here, when the
application is created, instead of on each worker's first request: gunicorn's ``preload_app`` then loads it once in
the master, and the workers it forks (also those that replace a worker after ``max_requests``) start warm.
"""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
get_resolver().url_patterns  # noqa: B018 — imports every URL module, the API's included
