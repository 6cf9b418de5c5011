"""Upstream: (gunicorn / runserver load it by path)
Downstream: (none)
Role: WSGI entry point of the api process."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ginkgo_site.settings")

application = get_wsgi_application()
