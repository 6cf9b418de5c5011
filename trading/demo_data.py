"""Upstream: trading.services.demo
Downstream: (none)
Role: writes the demo's real daily bars (public-domain prices from bokeh-sampledata) as CSV files.

The PyPI package ``bokeh-sampledata`` ships daily OHLCV prices of AAPL, MSFT, IBM and GOOG
(Quandl WIKI prices, public domain). Only its data file is read; its loaders (pandas) are not
imported.
"""

import csv
import gzip
from collections.abc import Iterable
from datetime import date
from importlib.resources import files
from pathlib import Path

DEMO_SYMBOLS = ("AAPL", "MSFT", "IBM", "GOOG")
# All four symbols trade from here on (GOOG listed in August 2004).
DEMO_START = date(2010, 1, 4)
HEADER = ("Date", "Open", "High", "Low", "Close", "Volume")


def demo_bar_files(
    directory: Path, symbols: Iterable[str] = DEMO_SYMBOLS, start: date = DEMO_START
) -> list[Path]:
    """One CSV file per symbol (the core's bar format) in ``directory``; reused if present."""
    wanted = tuple(symbols)
    paths = [directory / f"{symbol}.csv" for symbol in wanted]
    if all(path.exists() for path in paths):
        return paths
    directory.mkdir(parents=True, exist_ok=True)
    source = files("bokeh_sampledata").joinpath("_data", "stocks.csv.gz")
    writers = {}
    handles = []
    try:
        for symbol, path in zip(wanted, paths, strict=True):
            handle = path.with_suffix(".tmp").open("w", newline="")
            handles.append(handle)
            writers[symbol] = csv.writer(handle)
            writers[symbol].writerow(HEADER)
        with source.open("rb") as raw, gzip.open(raw, "rt", newline="") as text:
            for row in csv.DictReader(text):
                writer = writers.get(row["Ticker"])
                if writer and date.fromisoformat(row["Date"]) >= start:
                    writer.writerow([row[column] for column in HEADER])
    finally:
        for handle in handles:
            handle.close()
    for path in paths:
        path.with_suffix(".tmp").replace(path)
    return paths
