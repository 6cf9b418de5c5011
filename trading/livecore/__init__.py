"""Upstream: (Python package import)
Downstream: (none)
Role: LiveCore: the DataManager (market data to Kafka), the LiveEngine with its TradeGateway, and control handling."""
