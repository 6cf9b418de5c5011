"""Upstream: (Python package import)
Downstream: (none)
Role: the storage tiers: BarStore/TradeStore adapters (ClickHouse, SQL), the ClickHouse schema, hot positions in Redis, import/export helpers."""
