"""Upstream: (Python package import)
Downstream: (none)
Role: the backtest driver: feeds a bar stream through the portfolio pipeline and the paper matching engine, and scores the run."""
