// Ginkgo Live dashboard: polls /dashboard/data, redraws the tables (tables.js), and draws
// each portfolio's equity curve (from /api/portfolio/{id}/equity) as inline SVG.
// Everything from the server is inserted as text, never as HTML.
(function () {
  "use strict";

  const body = document.body;
  const DATA_URL = body.dataset.dataUrl;
  const API_ROOT = body.dataset.apiRoot;
  const POLL_MS = Number(body.dataset.pollMs) || 3000;
  const QUEUE_MAX = Number(body.dataset.queueMax) || 1000;
  const SVG_NS = "http://www.w3.org/2000/svg";
  const CHART_W = 300;
  const CHART_H = 90;
  // portfolio id -> the equity its chart was last drawn for (redrawn when it changes)
  const charted = new Map();
  const { el, row, td, fill, num, signed, time, pill, getJson, STATUS_TONE } = window.GinkgoTables;

  function age(seconds) {
    if (seconds === null || seconds === undefined) return "never";
    if (seconds < 90) return `${Math.round(seconds)} s ago`;
    if (seconds < 5400) return `${Math.round(seconds / 60)} min ago`;
    return `${Math.round(seconds / 3600)} h ago`;
  }

  function bar(fraction, label) {
    const wrap = el("span");
    const outer = el("span", "bar" + (fraction >= 0.9 ? " bad" : fraction >= 0.7 ? " warn" : ""));
    const inner = el("span");
    inner.style.width = `${Math.min(100, Math.max(0, fraction * 100)).toFixed(0)}%`;
    outer.appendChild(inner);
    wrap.append(outer, label);
    return wrap;
  }

  const LEVEL_TONE = { info: "info", warning: "warn", error: "bad", critical: "bad" };

  function renderSummary(data) {
    const s = data.summary;
    const alive = data.nodes.filter((n) => n.alive).length;
    const running = data.portfolios.filter((p) => p.status === "running").length;
    document.getElementById("sum-nodes-alive").textContent = alive;
    const gone = (status) => data.nodes.filter((n) => n.status === status).length;
    document.getElementById("sum-nodes-dead").textContent = `${gone("dead")} dead, ${gone("left")} left`;
    document.getElementById("sum-portfolios-running").textContent = running;
    document.getElementById("sum-portfolios-total").textContent = `of ${data.portfolios.length}`;
    document.getElementById("sum-orders").textContent = s.throughput.orders;
    document.getElementById("sum-fills").textContent = s.throughput.fills;
    document.getElementById("sum-drops").textContent = num(s.drops.total, 0);
    document.getElementById("sum-alerts").textContent = s.alerts.notices;
    document.getElementById("sum-alerts-levels").textContent = Object.entries(s.alerts.by_level)
      .map(([level, counts]) => `${counts.notices} ${level}`).join(", ");
    document.getElementById("last-updated").textContent = time(s.generated_at);
    const error = document.getElementById("error");
    error.hidden = !s.live_state_error;
    error.textContent = s.live_state_error ? `Live state unavailable: ${s.live_state_error}` : "";
  }

  function renderNodes(nodes) {
    fill("nodes-table", nodes.map((n) => {
      // Dead and left are the scheduler's verdict (the status); until it is given, a node
      // whose heartbeat key is gone shows as such.
      const health = n.status === "dead" ? pill("dead", "bad")
        : n.status === "left" ? pill("left", "muted")
        : !n.alive ? pill("no heartbeat", "bad")
        : n.status === "active" ? pill("healthy", "ok") : pill(n.status, "warn");
      const late = n.heartbeat_age !== null && n.heartbeat_age > 20;
      return row([
        td(n.node_id),
        td(health),
        td(age(n.heartbeat_age), late ? "down" : ""),
        td(bar(n.load, `${n.portfolio_ids.length}/${n.capacity}`)),
        td(n.portfolio_ids.join(", ") || "—"),
        td(num(n.throughput, 1), "num"),
        td(num(n.lag_ms, 1), "num"),
        td(num(n.dropped, 0), "num"),
      ], { "data-node-id": n.node_id });
    }), "no nodes yet", 8);
  }

  function renderPortfolios(portfolios) {
    fill("portfolios-table", portfolios.map((p) => {
      const status = pill(p.status, STATUS_TONE[p.status] || "muted");
      if (p.error) status.title = p.error;
      const positions = p.positions.map((x) => `${x.symbol} ${num(x.quantity, 0)}`).join(", ");
      const link = el("a", "", `${p.portfolio_id} · ${p.name}`);
      link.href = p.url;
      return row([
        td(link),
        td(status),
        td(p.node || "—"),
        td(p.version, "num"),
        td(num(p.equity, 2), "num"),
        td(signed(p.pnl), `num ${Number(p.pnl) >= 0 ? "up" : "down"}`),
        td(positions || "flat"),
        td(bar(p.queue_size / QUEUE_MAX, String(p.queue_size))),
        td(num(p.dropped, 0), "num"),
      ], { "data-portfolio-id": p.portfolio_id, "data-status": p.status });
    }), "no portfolios yet", 9);
  }

  function chartCard(portfolio) {
    const id = `chart-${portfolio.portfolio_id}`;
    let card = document.getElementById(id);
    if (card) return card;
    card = el("div", "chart");
    card.id = id;
    const title = el("div", "chart-title");
    title.append(el("strong", "", portfolio.portfolio_id), el("span", "muted chart-value", ""));
    const svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", `0 0 ${CHART_W} ${CHART_H}`);
    svg.setAttribute("preserveAspectRatio", "none");
    svg.setAttribute("data-portfolio-id", portfolio.portfolio_id);
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", `equity of ${portfolio.portfolio_id}`);
    card.append(title, svg);
    document.getElementById("equity-charts").appendChild(card);
    return card;
  }

  function svgNode(tag, attrs, text) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function drawEquity(svg, initial, points) {
    // Drawn in the chart's own pixels, so text keeps its shape at any card width.
    const width = Math.round(svg.getBoundingClientRect().width) || CHART_W;
    svg.setAttribute("viewBox", `0 0 ${width} ${CHART_H}`);
    const values = points.map((p) => Number(p.equity));
    const times = points.map((p) => Date.parse(p.time));
    const low = Math.min(initial, ...values);
    const high = Math.max(initial, ...values);
    const span = high - low || Math.abs(initial) * 0.01 || 1;
    const pad = 6;
    const band = 13; // room above and below the curve for the high and low labels
    const y = (v) => CHART_H - band - ((v - low) / span) * (CHART_H - 2 * band);
    const t0 = times[0] || 0;
    const tspan = (times[times.length - 1] || 0) - t0 || 1;
    const x = (t) => pad + ((t - t0) / tspan) * (width - 2 * pad);
    const children = [svgNode("line", {
      class: "baseline", x1: 0, x2: width, y1: y(initial), y2: y(initial),
    })];
    if (points.length === 0) {
      children.push(svgNode("text", { x: pad, y: CHART_H / 2 - 6 }, "no fills yet"));
    } else {
      // Equity is flat between fills: draw steps, starting from the initial capital.
      let path = `M ${x(times[0]).toFixed(1)} ${y(initial).toFixed(1)}`;
      values.forEach((v, i) => {
        path += ` H ${x(times[i]).toFixed(1)} V ${y(v).toFixed(1)}`;
      });
      path += ` H ${width - pad}`;
      const last = values[values.length - 1];
      children.push(svgNode("path", { d: path, class: last >= initial ? "line-up" : "line-down" }));
      children.push(svgNode("text", { x: pad, y: band - 4 }, `high ${num(high, 0)}`));
      children.push(svgNode("text", { x: pad, y: CHART_H - 2 }, `low ${num(low, 0)}`));
    }
    svg.replaceChildren(...children);
    svg.setAttribute("data-points", String(points.length));
  }

  async function refreshChart(portfolio) {
    const card = chartCard(portfolio);
    const url = `${API_ROOT}portfolio/${encodeURIComponent(portfolio.portfolio_id)}/equity`;
    try {
      const series = await getJson(url);
      drawEquity(card.querySelector("svg"), Number(series.initial_capital), series.points);
      card.querySelector(".chart-value").textContent = `${num(portfolio.equity, 2)} (${signed(portfolio.pnl)})`;
    } catch (error) {
      charted.delete(portfolio.portfolio_id);
      card.querySelector(".chart-value").textContent = `equity unavailable (${error.message})`;
    }
  }

  function renderCharts(portfolios) {
    const ids = new Set(portfolios.map((p) => p.portfolio_id));
    for (const card of document.querySelectorAll("#equity-charts .chart")) {
      if (!ids.has(card.id.slice("chart-".length))) card.remove();
    }
    for (const portfolio of portfolios) {
      if (charted.get(portfolio.portfolio_id) === String(portfolio.equity)) continue;
      charted.set(portfolio.portfolio_id, String(portfolio.equity));
      refreshChart(portfolio);
    }
  }

  function renderOrders(orders) {
    fill("orders-table", orders.map((o) => row([
      td(time(o.created_at)), td(o.portfolio_id), td(o.symbol), td(o.side),
      td(num(o.quantity, 0), "num"), td(pill(o.status, o.status === "rejected" ? "bad" : "muted")),
    ])), "no orders yet", 6);
  }

  function renderFills(fills) {
    fill("fills-table", fills.map((f) => row([
      td(time(f.executed_at)), td(f.portfolio_id), td(f.symbol), td(f.side),
      td(num(f.quantity, 0), "num"), td(num(f.price, 2), "num"),
    ])), "no fills yet", 6);
  }

  const JOB_TONE = { done: "ok", failed: "bad", running: "warn", queued: "muted" };

  function renderBacktests(backtests) {
    fill("backtests-table", backtests.map((b) => {
      const report = b.status === "done" ? el("a", "", "report") : el("span", "muted", "—");
      if (b.status === "done") report.href = b.url;
      return row([
        td(b.id, "num"), td(b.portfolio_id || "—"), td(b.portfolio_version, "num"), td(b.symbol),
        td(pill(b.status, JOB_TONE[b.status] || "muted")), td(time(b.created_at)),
        td(b.result__return === null ? "—" : `${num(b.result__return * 100, 2)}%`, "num"), td(report),
      ], { "data-backtest-id": b.id });
    }), "no backtests yet", 8);
  }

  function renderNotices(notices) {
    fill("notices-table", notices.map((n) => row([
      td(time(n.last_seen)), td(pill(n.level, LEVEL_TONE[n.level] || "muted")), td(n.kind),
      td(n.portfolio_id || n.node_id || "—"), td(n.message, "message"), td(n.count, "num"),
    ], { "data-kind": n.kind })), "no notices", 6);
  }

  function setConnection(ok, text) {
    const badge = document.getElementById("connection");
    badge.className = `pill pill-${ok ? "ok" : "bad"}`;
    badge.textContent = text;
  }

  async function poll() {
    try {
      const data = await getJson(DATA_URL);
      renderSummary(data);
      renderNodes(data.nodes);
      renderPortfolios(data.portfolios);
      renderCharts(data.portfolios);
      renderOrders(data.orders);
      renderFills(data.fills);
      renderBacktests(data.backtests);
      renderNotices(data.notices);
      setConnection(true, "live");
      body.dataset.loaded = "true";
    } catch (error) {
      setConnection(false, "offline");
      const banner = document.getElementById("error");
      banner.hidden = false;
      banner.textContent = `Cannot load the dashboard data: ${error.message}`;
    } finally {
      window.setTimeout(poll, POLL_MS);
    }
  }

  poll();
})();
