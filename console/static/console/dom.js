// DOM and formatting helpers. Everything from the server goes in as textContent.

import { PRIORITIES } from "./labels.js";

export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null && text !== "") node.textContent = String(text);
  return node;
}

export function button(text, className, onClick) {
  const node = el("button", className, text);
  node.type = "button";
  if (onClick) node.addEventListener("click", onClick);
  return node;
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

export function byId(id) {
  return document.getElementById(id);
}

export function isObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

export function str(value) {
  return value === undefined || value === null ? "" : String(value);
}

// Number of characters as the server counts them (code points, not UTF-16 units).
export function charCount(text) {
  return Array.from(text).length;
}

// Seconds since the epoch (tracker events) or an ISO 8601 string -> Date, or null.
export function toDate(value) {
  if (value === undefined || value === null || value === "") return null;
  const date = typeof value === "number" ? new Date(value * 1000) : new Date(String(value));
  return Number.isNaN(date.getTime()) ? null : date;
}

function pad(n) {
  return String(n).padStart(2, "0");
}

export function formatTime(value) {
  const date = toDate(value);
  if (!date) return "";
  const hm = `${pad(date.getHours())}:${pad(date.getMinutes())}`;
  const today = new Date();
  if (date.toDateString() === today.toDateString()) return hm;
  return `${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${hm}`;
}

export function formatDuration(seconds) {
  const s = Math.max(0, Math.floor(Number(seconds) || 0));
  if (s < 60) return `${s}秒`;
  if (s < 3600) return `${Math.floor(s / 60)}分${pad(s % 60)}秒`;
  const h = Math.floor(s / 3600);
  if (h < 48) return `${h}小时${pad(Math.floor((s % 3600) / 60))}分`;
  return `${Math.floor(h / 24)}天`;
}

// An escalation's reason as the server names it (E.reason_label, from shop/lexicon.py).
export function reasonLabel(e) {
  return str(e && e.reason_label) || "其他";
}

export function priorityLabel(priority) {
  return PRIORITIES[priority] || `优先级 ${str(priority)}`;
}

// A product line of an order or a card: "城市牛津皮鞋 42码 ×1".
export function productLine(item) {
  if (!isObject(item)) return str(item);
  const parts = [str(item.name || item.product_name || item.product || item.product_id)];
  if (item.size !== undefined && item.size !== null && item.size !== "") {
    parts.push(`${str(item.size)}码`);
  }
  if (item.color) parts.push(str(item.color));
  if (item.quantity !== undefined && item.quantity !== null) parts.push(`×${str(item.quantity)}`);
  return parts.filter(Boolean).join(" ");
}

export function formatMoney(value) {
  const n = Number(value);
  return Number.isFinite(n) ? `¥${n.toFixed(2)}` : str(value);
}

// Inserts text at the textarea's cursor (or over its selection) and focuses it.
export function insertAtCursor(textarea, text) {
  const start = textarea.selectionStart ?? textarea.value.length;
  const end = textarea.selectionEnd ?? start;
  textarea.focus();
  textarea.setRangeText(text, start, end, "end");
  textarea.dispatchEvent(new Event("input", { bubbles: true }));
}

// Runs task() now and again `interval` ms after each run finishes, until stop().
// now() runs it at once (or right after the run in progress).
export function poller(task, interval) {
  let timer = null;
  let running = false;
  let again = false;
  let stopped = true;
  async function tick() {
    timer = null;
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      await task();
    } finally {
      running = false;
      if (!stopped) timer = setTimeout(tick, again ? 0 : interval);
      again = false;
    }
  }
  return {
    start() {
      if (!stopped) return;
      stopped = false;
      tick();
    },
    stop() {
      stopped = true;
      again = false;
      if (timer) clearTimeout(timer);
      timer = null;
    },
    now() {
      if (stopped) return;
      if (timer) clearTimeout(timer);
      tick();
    },
  };
}
