// Ginkgo Live charts: time series as inline SVG, drawn without a library or a build step.
// Lines, steps and areas, buy/sell markers, marked times and spans, axes, and a readout
// that follows the pointer. A long series is decimated per pixel column (its first, lowest,
// highest and last point there), so ten years of daily bars or a day of minute bars draw
// as a few hundred segments and look the same as with every point.
// The backtest report inlines this file (trading.reports); the dashboard loads it.
(function (root) {
  "use strict";

  const SVG_NS = "http://www.w3.org/2000/svg";
  const MARGIN = { top: 12, right: 14, bottom: 22, left: 70 };
  const MINUTE = 60e3;
  const HOUR = 60 * MINUTE;
  const DAY = 24 * HOUR;
  // Tick steps below a month, in milliseconds; months and years are counted in calendar units.
  const TIME_STEPS = [MINUTE, 5 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 3 * HOUR, 6 * HOUR, DAY, 7 * DAY, 14 * DAY];
  const MONTH_STEPS = [1, 3, 6, 12, 24, 60, 120];

  function svgNode(tag, attrs, text) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function number(value, digits) {
    return value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }

  function niceStep(span, count) {
    const raw = span / count;
    const power = 10 ** Math.floor(Math.log10(raw));
    const unit = raw / power;
    return power * (unit < 1.5 ? 1 : unit < 3 ? 2 : unit < 7 ? 5 : 10);
  }

  function valueTicks(low, high, count) {
    const step = niceStep(high - low, count);
    const ticks = [];
    for (let v = Math.ceil(low / step) * step; v <= high + step * 1e-9; v += step) ticks.push(v);
    return { ticks, step };
  }

  function pad2(n) {
    return String(n).padStart(2, "0");
  }

  // Times are shown in UTC, as the platform keeps them.
  function dateText(t) {
    const d = new Date(t);
    return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
  }

  function timeText(t) {
    const d = new Date(t);
    const clock = `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`;
    return d.getUTCHours() || d.getUTCMinutes() ? `${dateText(t)} ${clock}` : dateText(t);
  }

  function timeTicks(t0, t1, count) {
    const span = t1 - t0 || 1;
    const step = TIME_STEPS.find((s) => span / s <= count);
    if (step !== undefined) {
      const label = step < DAY ? (t) => { const d = new Date(t); return `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`; } : dateText;
      const ticks = [];
      for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) ticks.push({ t, label: label(t) });
      return ticks;
    }
    const months = MONTH_STEPS.find((m) => span / (m * 30.44 * DAY) <= count) || 120;
    const start = new Date(t0);
    let year = start.getUTCFullYear();
    let month = Math.ceil((start.getUTCMonth() + (start.getUTCDate() > 1 ? 1 : 0)) / months) * months;
    const ticks = [];
    for (;;) {
      const t = Date.UTC(year, month, 1);
      if (t > t1) break;
      const d = new Date(t);
      const label = months >= 12 ? String(d.getUTCFullYear()) : `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}`;
      ticks.push({ t, label });
      month += months;
    }
    return ticks;
  }

  // Indices worth drawing: per pixel column, the first, lowest, highest and last point.
  function decimate(ts, vs, x) {
    const keep = [];
    let column = null;
    let first = 0, low = 0, high = 0, last = 0;
    const flush = () => {
      for (const i of [first, low, high, last].sort((a, b) => a - b)) {
        if (keep[keep.length - 1] !== i) keep.push(i);
      }
    };
    for (let i = 0; i < ts.length; i++) {
      const c = Math.round(x(ts[i]));
      if (c !== column) {
        if (column !== null) flush();
        column = c;
        first = low = high = last = i;
      } else {
        if (vs[i] < vs[low]) low = i;
        if (vs[i] > vs[high]) high = i;
        last = i;
      }
    }
    if (column !== null) flush();
    return keep;
  }

  function linePath(series, keep, x, y) {
    let d = "";
    let previous = null;
    for (const i of keep) {
      const px = x(series.t[i]).toFixed(1);
      const py = y(series.v[i]).toFixed(1);
      if (previous === null) d = `M${px} ${py}`;
      else d += series.step ? `H${px}V${py}` : `L${px} ${py}`;
      previous = i;
    }
    return d;
  }

  // Nearest index at or before t (binary search; -1 before the first point).
  function indexAt(ts, t) {
    let lo = 0, hi = ts.length - 1, found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (ts[mid] <= t) { found = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return found;
  }

  function extent(spec) {
    let t0 = spec.tMin, t1 = spec.tMax, v0 = Infinity, v1 = -Infinity;
    const seeTime = (t) => {
      if (spec.tMin === undefined) t0 = t0 === undefined ? t : Math.min(t0, t);
      if (spec.tMax === undefined) t1 = t1 === undefined ? t : Math.max(t1, t);
    };
    for (const s of spec.series) {
      for (let i = 0; i < s.t.length; i++) {
        seeTime(s.t[i]);
        if (s.v[i] < v0) v0 = s.v[i];
        if (s.v[i] > v1) v1 = s.v[i];
      }
    }
    for (const m of spec.markers || []) { v0 = Math.min(v0, m.v); v1 = Math.max(v1, m.v); }
    if (spec.baseline !== undefined) { v0 = Math.min(v0, spec.baseline); v1 = Math.max(v1, spec.baseline); }
    if (spec.vMax !== undefined) v1 = Math.max(v1, spec.vMax);
    if (!Number.isFinite(v0)) { v0 = 0; v1 = 1; }
    if (t0 === undefined) { t0 = 0; t1 = 1; }
    const span = v1 - v0 || Math.abs(v1) * 0.02 || 1;
    const padding = span * 0.06;
    // vMax pins the top (a drawdown's zero); otherwise both ends get some room.
    return { t0, t1: t1 > t0 ? t1 : t0 + 1, v0: v0 - padding, v1: spec.vMax !== undefined ? spec.vMax : v1 + padding };
  }

  /**
   * Draw a chart into ``svg``:
   *   series: [{t: [ms], v: [number], className, label, step, area}]
   *   markers: [{t, v, side: "buy"|"sell", title, className}]
   *   verticals: [{t, label, className}]   marked times (a divergence)
   *   bands: [{from, to, className}]       shaded spans (the largest drawdown)
   *   baseline: a value drawn dashed (the initial capital)
   *   percent: values are fractions, shown as percentages
   *   tMin, tMax: the time axis (several charts sharing one)
   * The svg gets data-points (points drawn, all series) and data-markers.
   */
  function draw(svg, spec) {
    const width = Math.round(svg.getBoundingClientRect().width) || 800;
    const height = spec.height || 240;
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    svg.setAttribute("height", String(height));
    const { t0, t1, v0, v1 } = extent(spec);
    const left = MARGIN.left, right = width - MARGIN.right;
    const top = MARGIN.top, bottom = height - MARGIN.bottom;
    const x = (t) => left + ((t - t0) / (t1 - t0)) * (right - left);
    const y = (v) => bottom - ((v - v0) / (v1 - v0 || 1)) * (bottom - top);
    const children = [];

    const { ticks, step } = valueTicks(v0, v1, Math.max(2, Math.floor((bottom - top) / 45)));
    const digits = spec.percent ? Math.max(0, -Math.floor(Math.log10(step * 100))) : Math.max(0, -Math.floor(Math.log10(step)));
    const format = spec.percent ? (v) => `${number(v * 100, digits)}%` : (v) => number(v, digits);
    const grid = svgNode("g", { class: "grid" });
    for (const v of ticks) {
      grid.appendChild(svgNode("line", { x1: left, x2: right, y1: y(v).toFixed(1), y2: y(v).toFixed(1) }));
      grid.appendChild(svgNode("text", { x: left - 6, y: (y(v) + 3.5).toFixed(1), class: "tick tick-y" }, format(v)));
    }
    for (const tick of timeTicks(t0, t1, Math.max(2, Math.floor((right - left) / 110)))) {
      grid.appendChild(svgNode("line", { x1: x(tick.t).toFixed(1), x2: x(tick.t).toFixed(1), y1: top, y2: bottom, class: "grid-x" }));
      grid.appendChild(svgNode("text", { x: x(tick.t).toFixed(1), y: height - 6, class: "tick tick-x" }, tick.label));
    }
    children.push(grid);

    for (const band of spec.bands || []) {
      const from = x(Math.max(band.from, t0)), to = x(Math.min(band.to, t1));
      children.push(svgNode("rect", { x: from.toFixed(1), y: top, width: Math.max(1, to - from).toFixed(1), height: bottom - top, class: band.className || "band" }));
    }
    if (spec.baseline !== undefined) {
      children.push(svgNode("line", { x1: left, x2: right, y1: y(spec.baseline).toFixed(1), y2: y(spec.baseline).toFixed(1), class: "baseline" }));
    }

    let drawn = 0;
    for (const series of spec.series) {
      if (!series.t.length) continue;
      const keep = decimate(series.t, series.v, x);
      let d = linePath(series, keep, x, y);
      if (series.step && series.until !== undefined) d += `H${x(series.until).toFixed(1)}`;
      if (series.area) {
        // Filled down (or up) to zero beneath the line, the fill's closing edges unstroked.
        const zero = y(0).toFixed(1);
        const area = `M${x(series.t[keep[0]]).toFixed(1)} ${zero}${d.replace(/^M/, "L")}L${x(series.t[keep[keep.length - 1]]).toFixed(1)} ${zero}Z`;
        children.push(svgNode("path", { d: area, class: `series-area ${series.className || ""}` }));
      }
      children.push(svgNode("path", {
        d, class: `series ${series.className || ""}`,
        "data-points": keep.length, "data-source-points": series.t.length, "data-label": series.label || "",
      }));
      drawn += keep.length;
    }

    const markers = svgNode("g", { class: "markers" });
    for (const m of spec.markers || []) {
      const px = x(m.t).toFixed(1), py = y(m.v).toFixed(1);
      // A buy points up from below its price, a sell down from above.
      const d = m.side === "buy" ? `M${px} ${py}l-5 9h10z` : `M${px} ${py}l-5 -9h10z`;
      const marker = svgNode("path", { d, class: `marker marker-${m.side} ${m.className || ""}` });
      if (m.title) marker.appendChild(svgNode("title", {}, m.title));
      markers.appendChild(marker);
    }
    children.push(markers);

    for (const mark of spec.verticals || []) {
      const px = x(mark.t).toFixed(1);
      children.push(svgNode("line", { x1: px, x2: px, y1: top, y2: bottom, class: mark.className || "vertical" }));
      const anchor = x(mark.t) > (left + right) / 2 ? "end" : "start";
      children.push(svgNode("text", { x: (x(mark.t) + (anchor === "end" ? -4 : 4)).toFixed(1), y: top + 10, "text-anchor": anchor, class: "vertical-label" }, mark.label));
    }

    const cursor = svgNode("line", { x1: 0, x2: 0, y1: top, y2: bottom, class: "cursor", visibility: "hidden" });
    const readout = svgNode("text", { x: left + 6, y: top + 12, class: "readout" });
    children.push(cursor, readout);
    svg.replaceChildren(...children);
    svg.setAttribute("data-points", String(drawn));
    svg.setAttribute("data-markers", String((spec.markers || []).length));

    svg.onpointermove = (event) => {
      const box = svg.getBoundingClientRect();
      const px = ((event.clientX - box.left) / box.width) * width;
      if (px < left || px > right) return;
      const t = t0 + ((px - left) / (right - left)) * (t1 - t0);
      const parts = [timeText(t)];
      for (const series of spec.series) {
        const i = indexAt(series.t, t);
        if (i >= 0) parts.push(`${series.label || ""} ${format(series.v[i])}`.trim());
      }
      cursor.setAttribute("x1", px.toFixed(1));
      cursor.setAttribute("x2", px.toFixed(1));
      cursor.setAttribute("visibility", "visible");
      readout.textContent = parts.join("   ");
    };
    svg.onpointerleave = () => {
      cursor.setAttribute("visibility", "hidden");
      readout.textContent = "";
    };
  }

  // Redraw on width changes (charts are drawn in their own pixels, so text keeps its shape).
  function redrawOnResize(drawAll) {
    let pending = null;
    window.addEventListener("resize", () => {
      window.clearTimeout(pending);
      pending = window.setTimeout(drawAll, 150);
    });
  }

  root.GinkgoCharts = { draw, decimate, indexAt, redrawOnResize, dateText, timeText };
})(window);
