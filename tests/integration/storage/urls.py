"""Upstream: (entry point: pytest, the storage API tests' urlconf)
Downstream: (none)
Role: mounts the data API at /api/data/ for the tests, as the lead's include will."""

from django.urls import include, path

urlpatterns = [path("api/data/", include("trading.data_urls"))]
