// Ginkgo Live dashboard pages: the small DOM helpers every page uses to fill its tables and
// cards. Everything from the server is inserted as text, never as HTML.
(function (root) {
  "use strict";

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function row(cells, attrs) {
    const tr = document.createElement("tr");
    for (const [key, value] of Object.entries(attrs || {})) tr.setAttribute(key, value);
    for (const cell of cells) tr.appendChild(cell);
    return tr;
  }

  function td(content, className) {
    const cell = el("td", className);
    if (content instanceof Node) cell.appendChild(content);
    else cell.textContent = content === null || content === undefined ? "—" : String(content);
    return cell;
  }

  function fill(tableId, rows, emptyText, columns) {
    const tbody = document.querySelector(`#${tableId} tbody`);
    tbody.replaceChildren(...(rows.length ? rows : [row([td(emptyText)], { class: "empty" })]));
    if (!rows.length) tbody.firstChild.firstChild.colSpan = columns;
  }

  function num(value, digits) {
    if (value === null || value === undefined || value === "") return "—";
    return Number(value).toLocaleString(undefined, {
      minimumFractionDigits: digits, maximumFractionDigits: digits,
    });
  }

  function signed(value) {
    const n = Number(value);
    return `${n >= 0 ? "+" : ""}${num(n, 2)}`;
  }

  function time(iso) {
    if (!iso) return "—";
    const date = new Date(iso);
    return date.toLocaleTimeString([], { hour12: false }) + " " + date.toLocaleDateString();
  }

  function pill(text, tone) {
    return el("span", `pill pill-${tone}`, text);
  }

  async function getJson(url) {
    const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) {
      const detail = await response.json().catch(() => ({}));
      throw new Error(detail.error ? detail.error.message : `HTTP ${response.status}`);
    }
    return response.json();
  }

  const STATUS_TONE = {
    running: "ok", reloading: "warn", migrating: "warn", stopping: "warn",
    error: "bad", stopped: "muted", unreported: "muted",
  };

  root.GinkgoTables = { el, row, td, fill, num, signed, time, pill, getJson, STATUS_TONE };
})(window);
