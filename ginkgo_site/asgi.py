"""Upstream: (ASGI servers load it by path)
Downstream: (none)
Role: ASGI entry point, for servers that prefer it."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ginkgo_site.settings")

application = get_asgi_application()
