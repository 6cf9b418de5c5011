// Ginkgo Live portfolio page: polls its data URL, draws the live equity and the equity of
// the portfolio's backtest over the same bars on one chart (charts.js), a marker for every
// live fill (filled) and every backtest fill (hollow), the first divergence as a marked
// time, and fills the positions, orders and fills tables (tables.js).
(function () {
  "use strict";

  const body = document.body;
  const DATA_URL = body.dataset.dataUrl;
  const POLL_MS = Number(body.dataset.pollMs) || 15000;
  const charts = window.GinkgoCharts;
  const { row, td, fill, num, signed, time, pill, getJson, STATUS_TONE } = window.GinkgoTables;
  let latest = null;

  function text(id, value) {
    document.getElementById(id).textContent = value;
  }

  function fillText(f) {
    return f ? `${f.side} ${f.quantity} ${f.symbol} @ ${f.price}, ${charts.timeText(f.t || Date.parse(f.time))}` : "no fill";
  }

  // The value of a series at or before t (the live curve is a step: flat between fills).
  function valueAt(series, t, otherwise) {
    const i = charts.indexAt(series.t, t);
    return i < 0 ? otherwise : series.v[i];
  }

  function bounds(lists) {
    let low = Infinity, high = -Infinity;
    for (const list of lists) {
      for (const t of list) { if (t < low) low = t; if (t > high) high = t; }
    }
    return low <= high ? [low, high] : [Date.now(), Date.now()];
  }

  function drawChart(data) {
    const initial = data.portfolio.initial_capital;
    const twin = data.twin;
    const twinT = twin.t || [];
    const lastLive = Date.parse(data.portfolio.live.last_event_time || "");
    const [tMin, tMax] = bounds([data.live.t, twinT, data.fills.map((f) => f.t), Number.isNaN(lastLive) ? [] : [lastLive]]);
    // The live curve starts at the initial capital and stays flat after its last fill.
    const live = { t: [tMin, ...data.live.t], v: [initial, ...data.live.v], step: true, until: tMax, className: "line-live", label: "live" };
    const series = [live];
    const markers = data.fills.map((f) => ({
      t: f.t, v: valueAt(live, f.t, initial), side: f.side, className: "marker-live", title: `live: ${fillText(f)}`,
    }));
    if (twinT.length) {
      const backtest = { t: twinT, v: twin.v, className: "line-twin", label: "backtest" };
      series.push(backtest);
      for (const f of twin.fills) {
        markers.push({ t: f.t, v: valueAt(backtest, f.t, initial), side: f.side, className: "marker-twin", title: `backtest: ${fillText(f)}` });
      }
    }
    const divergence = twin.comparison && twin.comparison.divergence;
    const verticals = divergence ? [{ t: divergence.t, label: `first divergence ${charts.timeText(divergence.t)}`, className: "vertical divergence" }] : [];
    charts.draw(document.getElementById("compare-chart"), { tMin, tMax, height: 320, baseline: initial, series, markers, verticals });
  }

  function renderCards(data) {
    const p = data.portfolio;
    const status = p.live.status || "unreported";
    document.getElementById("card-status").replaceChildren(pill(status, STATUS_TONE[status] || "muted"));
    text("card-node", p.live.node ? `on ${p.live.node}, version ${p.live.version || p.version}` : `version ${p.version}, ${p.desired_state}`);
    const equity = data.positions.equity;
    text("card-equity", num(equity, 2));
    text("card-pnl", `${signed(Number(equity) - p.initial_capital)} since ${num(p.initial_capital, 0)}`);
    const twin = data.twin;
    const comparison = twin.comparison;
    if (!comparison) {
      text("card-twin-equity", "—");
      text("card-twin-span", twin.problem || "");
      text("card-fills", `${data.fills.length} / —`);
      text("card-matched", "");
      text("card-divergence", "—");
      text("card-divergence-sub", "no backtest to compare with");
      return;
    }
    text("card-twin-equity", num(twin.v[twin.v.length - 1], 2));
    text("card-twin-span", `${twin.bars} bars, ${charts.dateText(twin.t[0])} to ${charts.dateText(twin.t[twin.t.length - 1])}`);
    text("card-fills", `${comparison.live} / ${comparison.twin}`);
    text("card-matched", `${comparison.matched} equal before any difference`);
    const divergence = comparison.divergence;
    text("card-divergence", divergence ? charts.timeText(divergence.t) : "none");
    document.getElementById("card-divergence").className = `card-value ${divergence ? "down" : "up"}`;
    text("card-divergence-sub", divergence ? `fill #${divergence.index + 1}` : "live equals its backtest, fill by fill");
  }

  function renderTwinNote(data) {
    const twin = data.twin;
    const version = data.portfolio.version;
    text("live-source", `(${data.live.note})`);
    text("twin-source", `(version ${version} over the same bars)`);
    const span = twin.span_from === "live status"
      ? "the span the node reports it handled live under this version"
      : "every stored bar of its symbols: no node reports a live span yet";
    text("twin-note", twin.problem
      ? `No backtest to compare with: ${twin.problem}.`
      : `The backtest runs version ${version} over ${twin.bars} stored bars, ${span}. `
        + "Fills are compared one by one on time, symbol, side, quantity and price, live fills limited to the backtest's bars.");
    const table = document.getElementById("divergence-table");
    const divergence = twin.comparison && twin.comparison.divergence;
    table.hidden = !divergence;
    if (divergence) {
      fill("divergence-table", [row([td(divergence.index + 1, "num"), td(fillText(divergence.live)), td(fillText(divergence.replayed))])], "", 3);
    }
  }

  function renderTables(data) {
    const report = data.positions;
    text("positions-source", `from ${report.source}, marked at the latest fill`);
    fill("positions-table", report.positions.filter((x) => Number(x.quantity)).map((x) => row([
      td(x.symbol), td(num(x.quantity, 0), "num"), td(num(x.avg_price, 2), "num"), td(num(x.mark, 2), "num"),
      td(num(x.market_value, 2), "num"), td(signed(x.unrealised_pnl), `num ${Number(x.unrealised_pnl) >= 0 ? "up" : "down"}`),
      td(signed(x.realised_pnl), `num ${Number(x.realised_pnl) >= 0 ? "up" : "down"}`),
    ])), "no positions", 7);
    fill("orders-table", data.orders.map((o) => row([
      td(time(o.created_at)), td(o.symbol), td(o.side), td(num(o.quantity, 0), "num"), td(num(o.filled_quantity, 0), "num"),
      td(num(o.average_price, 2), "num"), td(pill(o.status, o.status === "rejected" ? "bad" : "muted")),
    ])), "no orders", 7);
    const newest = data.fills.slice(-50).reverse();
    text("fills-count", `${data.fills.length} in all, latest first`);
    fill("fills-table", newest.map((f) => row([
      td(time(f.time)), td(f.symbol), td(f.side), td(f.quantity, "num"), td(num(f.price, 2), "num"), td(num(f.commission, 2), "num"),
    ])), "no fills", 6);
  }

  async function poll() {
    const banner = document.getElementById("error");
    try {
      const data = await getJson(DATA_URL);
      latest = data;
      renderCards(data);
      renderTwinNote(data);
      drawChart(data);
      renderTables(data);
      const problem = data.portfolio.live_error;
      banner.hidden = !problem;
      banner.textContent = problem ? `Live state unavailable: ${problem}` : "";
      text("last-updated", time(new Date().toISOString()));
      body.dataset.loaded = "true";
    } catch (error) {
      banner.hidden = false;
      banner.textContent = `Cannot load the portfolio's data: ${error.message}`;
    } finally {
      window.setTimeout(poll, POLL_MS);
    }
  }

  charts.redrawOnResize(() => { if (latest) drawChart(latest); });
  poll();
})();
