"""Upstream: (included by ginkgo_site.urls at /api/data/)
Downstream: trading.apis.data
Role: the data API's routes: bars, trades, stats, imports."""

from django.urls import path

from trading.apis.data import (
    BarImportCollectionApi,
    BarImportDetailApi,
    BarListApi,
    TradeListApi,
    TradeStatsApi,
)

urlpatterns = [
    path("bars", BarListApi.as_view(), name="data-bars"),
    path("trades", TradeListApi.as_view(), name="data-trades"),
    path("stats", TradeStatsApi.as_view(), name="data-stats"),
    path("import", BarImportCollectionApi.as_view(), name="data-import"),
    path("import/<int:import_id>", BarImportDetailApi.as_view(), name="data-import-detail"),
]
