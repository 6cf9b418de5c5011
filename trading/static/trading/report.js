// Ginkgo Live backtest report: draws the equity curve, the drawdown beneath it on the same
// time axis, and each symbol's prices with a marker for every fill, from the data the page
// carries (#report-data). Nothing is fetched.
(function () {
  "use strict";

  const source = document.getElementById("report-data");
  if (!source) return;
  const data = JSON.parse(source.textContent);
  const charts = window.GinkgoCharts;
  const equity = data.equity;
  const t = equity.t;
  // One time axis for every chart: the run's first bar to its last.
  const axis = t.length ? { tMin: t[0], tMax: t[t.length - 1] } : {};
  const drawdownBand = data.maxDrawdown ? [{ from: data.maxDrawdown.from, to: data.maxDrawdown.to, className: "band band-drawdown" }] : [];

  function drawAll() {
    charts.draw(document.getElementById("equity-chart"), {
      ...axis,
      height: 280,
      baseline: data.initial,
      bands: drawdownBand,
      series: [{ t, v: equity.v, className: "line-equity", label: "equity" }],
    });
    charts.draw(document.getElementById("drawdown-chart"), {
      ...axis,
      height: 130,
      percent: true,
      vMax: 0,
      bands: drawdownBand,
      series: [{ t, v: equity.drawdown, className: "area-drawdown", label: "drawdown", area: true }],
    });
    for (const symbol of data.symbols) {
      const svg = document.querySelector(`svg.price-chart[data-symbol="${CSS.escape(symbol.symbol)}"]`);
      charts.draw(svg, {
        ...axis,
        height: 240,
        series: [{ t: symbol.t, v: symbol.v, className: "line-price", label: symbol.symbol }],
        markers: symbol.fills.map((fill) => ({ t: fill.t, v: fill.price, side: fill.side, title: fill.title })),
      });
    }
    document.body.dataset.drawn = "true";
  }

  drawAll();
  charts.redrawOnResize(drawAll);
})();
