// Buyers' chat widget of the shoe-shop assistant.
//
// Talks to the Rasa socket.io channel (channels/socketio.py): session_request /
// session_confirm, user_uttered / bot_uttered, error. Photos go over HTTP
// (channels/uploads.py): POST <server>/webhooks/socketio/upload, shown again after a
// reload from GET <server>/webhooks/socketio/photos/<id>?size=thumb. Built with esbuild
// into one file, channels/static/widget.js, with socket.io-client and the CSS inside.
//
// Everything a buyer, the server or the database wrote is put on the page with
// textContent / createElement only, never innerHTML, and URLs must be http(s).
import { io } from "socket.io-client";
import css from "./widget.css";

const VERSION = "1.0.0";
const MAX_ENTRIES = 100;
const MISSED_WINDOW = 30; // replayed messages are compared with this many latest bot messages
const TYPING_TIMEOUT_MS = 15000;
const MAX_INPUT = 500;
const SEND_GAP_MS = 1000; // at most one message a second: the server limits each socket
const RATE_LIMIT_BACKOFF_MS = 10000;
const MAX_PHOTO_BYTES = 5 * 1024 * 1024; // the server's limit too
const PHOTO_TYPES = ["image/jpeg", "image/png", "image/webp"];
const PHOTO_EXTENSIONS = /\.(jpe?g|png|webp)$/i;
const NOTICE_MS = 8000;
// What the buyer reads for each upload error code of the server.
const PHOTO_ERRORS = {
  too_large: "图片超过5MB，请换一张或压缩后再发",
  unsupported_type: "只能发送 JPG、PNG 或 WebP 格式的图片",
  not_an_image: "只能发送 JPG、PNG 或 WebP 格式的图片",
  empty: "图片文件已损坏，请重新选择",
  broken_image: "图片文件已损坏，请重新选择",
  too_many_pixels: "图片尺寸太大，请截图或压缩后再发",
  too_small: "图片太小看不清，请换一张",
  rate_limited: "图片发得太频繁了，请稍后再试",
  session: "会话已过期，请刷新页面后重新发送",
  lost: "页面刷新前图片还没发出，请重新选择",
  network: "网络异常，图片没有发出去",
};
const SCRIPT =
  document.currentScript || document.querySelector('script[src*="widget.js"][data-shop-name]');

// ---------- small helpers ----------

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function str(value) {
  return value === undefined || value === null ? "" : String(value);
}

// An absolute http(s) URL, or null. Relative URLs resolve against the server.
function safeUrl(value, base) {
  if (typeof value !== "string" || !value) return null;
  try {
    const url = new URL(value, base);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch (e) {
    return null;
  }
}

// A short fingerprint of the buyer token (FNV-1a), so the stored transcript is
// only shown again to the same buyer, without keeping the token itself.
function fingerprint(value) {
  let h = 0x811c9dc5;
  const s = str(value);
  for (let i = 0; i < s.length; i += 1) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16);
}

function isObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

const store = {
  get(key) {
    try {
      const raw = window.localStorage.getItem(key);
      return raw === null ? null : JSON.parse(raw);
    } catch (e) {
      return null;
    }
  },
  set(key, value) {
    try {
      window.localStorage.setItem(key, JSON.stringify(value));
    } catch (e) {
      /* storage full or disabled: the chat still works, only without history */
    }
  },
  remove(key) {
    try {
      window.localStorage.removeItem(key);
    } catch (e) {
      /* ignore */
    }
  },
};

function injectStyle() {
  if (document.getElementById("scw-style")) return;
  const style = el("style");
  style.id = "scw-style";
  style.textContent = css;
  (document.head || document.documentElement).appendChild(style);
}

function chatIcon() {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS(ns, "path");
  path.setAttribute(
    "d",
    "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 7a1.5 1.5 0 1 0 0-3 1.5 1.5 0 0 0 0 3zm5 0a1.5 1.5 0 1 0 0-3 1.5 1.5 0 0 0 0 3zm5 0a1.5 1.5 0 1 0 0-3 1.5 1.5 0 0 0 0 3z",
  );
  svg.appendChild(path);
  return svg;
}

function cameraIcon() {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS(ns, "path");
  path.setAttribute(
    "d",
    "M9 3h6l1.8 2H20a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V7a2 2 0 0 1 2-2h3.2L9 3zm3 4.5a5 5 0 1 0 0 10 5 5 0 0 0 0-10zm0 2a3 3 0 1 1 0 6 3 3 0 0 1 0-6z",
  );
  svg.appendChild(path);
  return svg;
}

// ---------- rendering of bot messages ----------

function row(label, value) {
  const line = el("div", "scw-row");
  line.appendChild(el("span", "scw-row-label", label));
  line.appendChild(el("span", "scw-row-value", value));
  return line;
}

function formatPrice(price) {
  const n = typeof price === "number" ? price : Number(price);
  if (price !== "" && price !== null && Number.isFinite(n)) return "¥" + n.toFixed(2);
  return str(price);
}

function productLine(item) {
  if (!isObject(item)) return str(item);
  const parts = [str(item.name || item.product || item.product_name)];
  if (item.size !== undefined && item.size !== null) parts.push(str(item.size) + "码");
  if (item.color) parts.push(str(item.color));
  if (item.quantity !== undefined && item.quantity !== null) parts.push("×" + str(item.quantity));
  return parts.filter(Boolean).join(" ");
}

function cardShell(title) {
  const card = el("div", "scw-card");
  const body = el("div", "scw-card-body");
  if (title) body.appendChild(el("div", "scw-card-title", title));
  card.appendChild(body);
  return { card, body };
}

function productCard(data, server) {
  const { card, body } = cardShell(data.name);
  const img = safeUrl(data.image, server);
  if (img) {
    const image = el("img", "scw-card-img");
    image.alt = str(data.name);
    image.loading = "lazy";
    image.referrerPolicy = "no-referrer";
    image.src = img;
    card.insertBefore(image, body);
  }
  if (data.price !== undefined && data.price !== null) {
    body.appendChild(el("div", "scw-price", formatPrice(data.price)));
  }
  if (data.fit_note) body.appendChild(row("尺码建议", data.fit_note));
  const url = safeUrl(data.url, server);
  if (url) {
    const link = el("a", "scw-link", "查看商品 ›");
    link.href = url;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    body.appendChild(link);
  }
  return card;
}

function orderCard(data) {
  const { card, body } = cardShell("订单 " + str(data.order_id));
  if (data.status) body.appendChild(el("span", "scw-status", data.status));
  const products = Array.isArray(data.products) ? data.products.map(productLine) : [];
  if (typeof data.products === "string") products.push(data.products);
  if (products.length) body.appendChild(row("商品", products.join("\n")));
  if (data.courier) body.appendChild(row("快递", data.courier));
  if (data.tracking_number) body.appendChild(row("运单号", data.tracking_number));
  if (Array.isArray(data.events) && data.events.length) {
    const list = el("ul", "scw-events");
    data.events.forEach((event) => {
      if (!isObject(event)) return;
      const item = el("li");
      if (event.time) item.appendChild(el("span", "scw-event-time", event.time));
      item.appendChild(el("span", "", event.description));
      list.appendChild(item);
    });
    body.appendChild(list);
  }
  return card;
}

function returnCard(data) {
  const { card, body } = cardShell("退货单 " + str(data.return_id));
  if (data.status) body.appendChild(el("span", "scw-status", data.status));
  if (data.next_step) body.appendChild(row("下一步", data.next_step));
  return card;
}

function sizeTable(data) {
  const { card, body } = cardShell(data.product ? str(data.product) + " 尺码表" : "尺码表");
  const hasRec = data.recommended !== undefined && data.recommended !== null && data.recommended !== "";
  if (hasRec) body.appendChild(row("推荐尺码", data.recommended));
  const table = el("table", "scw-table");
  const head = el("tr");
  head.appendChild(el("th", "", "尺码"));
  head.appendChild(el("th", "", "脚长 (mm)"));
  const thead = el("thead");
  thead.appendChild(head);
  table.appendChild(thead);
  const tbody = el("tbody");
  (Array.isArray(data.rows) ? data.rows : []).forEach((r) => {
    if (!isObject(r)) return;
    const tr = el("tr");
    if (hasRec && str(r.size) === str(data.recommended)) tr.className = "scw-recommended";
    tr.appendChild(el("td", "", r.size));
    tr.appendChild(el("td", "", r.foot_length_mm));
    tbody.appendChild(tr);
  });
  table.appendChild(tbody);
  body.appendChild(table);
  return card;
}

const CARDS = {
  product_card: productCard,
  order_card: orderCard,
  return_card: returnCard,
  size_table: sizeTable,
};

// The custom payload of a bot message: the message itself ({"type": ...}) or
// its "custom" member (how some Rasa versions wrap it).
function customPayload(msg) {
  if (typeof msg.type === "string") return msg;
  if (isObject(msg.custom) && typeof msg.custom.type === "string") return msg.custom;
  return null;
}

function quickReplies(msg) {
  const list = Array.isArray(msg.quick_replies) ? msg.quick_replies : Array.isArray(msg.buttons) ? msg.buttons : [];
  return list.filter((b) => isObject(b) && (b.title || b.payload));
}

// ---------- the widget ----------

class Widget {
  constructor(options) {
    this.server = options.server.replace(/\/+$/, "");
    this.shopName = options.shopName || "在线客服";
    this.buyerToken = options.buyerToken || null;
    this.productId = options.productId || null;
    this.socketPath = options.socketPath || null;
    const base = "shopchat:v1:" + this.server + "|" + this.shopName;
    this.keys = { session: base + ":session", log: base + ":log", open: base + ":open" };

    this.buyer = fingerprint(this.buyerToken);
    this.sessionId = store.get(this.keys.session);
    const log = store.get(this.keys.log);
    this.log = isObject(log) && Array.isArray(log.entries) ? log : { entries: [] };
    if (this.log.buyer !== this.buyer) {
      // Another buyer (or none) on this browser: never show their conversation.
      this.log = { session_id: null, buyer: this.buyer, entries: [] };
      this.sessionId = null;
      store.remove(this.keys.session);
      store.set(this.keys.log, this.log);
    }
    this.connected = false;
    this.ready = false; // session confirmed on the current connection
    this.errors = 0;
    this.typingTimer = null;
    this.flushTimer = null;
    this.lastEmit = 0;
    this.nextId = Date.now();
    this.files = new Map(); // entry id -> File, while it may still be uploaded
    this.photoUrls = new Map(); // entry id -> object URL of the thumbnail
    this.uploading = null; // the XMLHttpRequest of the photo being sent
    this.log.entries.forEach((entry) => {
      // A photo not sent before the reload is gone: the File object did not survive.
      if (entry.k === "user" && entry.photo && entry.status !== "sent") {
        entry.status = "failed";
        entry.error = "lost";
      }
    });

    injectStyle();
    this.buildDom();
    this.renderAll();
    if (store.get(this.keys.open)) this.open();
    this.connect();
  }

  // ----- DOM -----

  buildDom() {
    const root = el("div", "scw-root");
    root.setAttribute("data-shopchat", VERSION);

    const launcher = el("button", "scw-launcher");
    launcher.type = "button";
    launcher.setAttribute("aria-label", "打开在线客服");
    launcher.title = "在线客服";
    launcher.appendChild(chatIcon());
    const unread = el("span", "scw-unread");
    unread.hidden = true;
    launcher.appendChild(unread);
    launcher.addEventListener("click", () => (this.isOpen ? this.close() : this.open()));

    const panel = el("div", "scw-panel");
    panel.hidden = true;
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", this.shopName + " 在线客服");

    const header = el("div", "scw-header");
    header.appendChild(el("div", "scw-title", this.shopName + " · 在线客服"));
    const closeBtn = el("button", "scw-close", "×");
    closeBtn.type = "button";
    closeBtn.setAttribute("aria-label", "关闭");
    closeBtn.addEventListener("click", () => this.close());
    header.appendChild(closeBtn);

    const banner = el("div", "scw-banner", "网络已断开，正在重连…");
    banner.setAttribute("role", "status");
    banner.hidden = true;

    const welcome = "您好，欢迎光临" + this.shopName + "！\n尺码、材质、订单、退换货的问题都可以问我。";
    const empty = el("div", "scw-empty", welcome);
    const logBox = el("div", "scw-log");
    logBox.setAttribute("role", "log");
    logBox.setAttribute("aria-live", "polite");

    const notice = el("div", "scw-notice");
    notice.setAttribute("role", "alert");
    notice.hidden = true;

    const typing = el("div", "scw-typing");
    typing.setAttribute("aria-label", "对方正在输入");
    typing.appendChild(document.createTextNode("对方正在输入"));
    const dots = el("span", "scw-dots");
    for (let i = 0; i < 3; i += 1) dots.appendChild(el("span", "", "."));
    typing.appendChild(dots);
    typing.hidden = true;

    const form = el("form", "scw-composer");
    const attach = el("button", "scw-attach");
    attach.type = "button";
    attach.setAttribute("aria-label", "发送图片");
    attach.title = "发送图片（JPG、PNG、WebP，不超过5MB）";
    attach.appendChild(cameraIcon());
    const file = el("input", "scw-file");
    file.type = "file";
    file.accept = PHOTO_TYPES.join(",");
    file.hidden = true;
    file.tabIndex = -1;
    file.setAttribute("aria-hidden", "true");
    attach.addEventListener("click", () => file.click());
    file.addEventListener("change", () => {
      const chosen = file.files && file.files[0];
      file.value = ""; // the same photo may be chosen again
      if (chosen) this.sendPhoto(chosen);
    });
    const input = el("textarea", "scw-input");
    input.rows = 1;
    input.maxLength = MAX_INPUT;
    input.placeholder = "请输入您的问题，Enter 发送";
    input.setAttribute("aria-label", "输入消息");
    input.setAttribute("enterkeyhint", "send");
    const send = el("button", "scw-send", "发送");
    send.type = "submit";
    form.appendChild(attach);
    form.appendChild(file);
    form.appendChild(input);
    form.appendChild(send);

    // Chinese IME: Enter that confirms a composition must not send.
    this.composing = false;
    input.addEventListener("compositionstart", () => {
      this.composing = true;
    });
    input.addEventListener("compositionend", () => {
      this.composing = false;
    });
    input.addEventListener("keydown", (e) => {
      if (e.key !== "Enter" && e.keyCode !== 13) return;
      if (e.isComposing || e.keyCode === 229 || this.composing) return;
      if (e.shiftKey) return; // newline
      e.preventDefault();
      this.submitInput();
    });
    input.addEventListener("input", () => this.autoGrow());
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.submitInput();
    });

    panel.appendChild(header);
    panel.appendChild(banner);
    panel.appendChild(logBox);
    panel.appendChild(notice);
    panel.appendChild(form);
    root.appendChild(panel);
    root.appendChild(launcher);
    (document.body || document.documentElement).appendChild(root);

    this.dom = { root, launcher, unread, panel, banner, logBox, empty, typing, notice, input, send, attach, file };
  }

  get isOpen() {
    return !this.dom.panel.hidden;
  }

  open() {
    this.dom.panel.hidden = false;
    this.dom.root.classList.add("scw-open");
    this.dom.unread.hidden = true;
    this.dom.launcher.setAttribute("aria-label", "关闭在线客服");
    store.set(this.keys.open, true);
    this.scrollDown();
    this.dom.input.focus({ preventScroll: true });
  }

  close() {
    this.dom.panel.hidden = true;
    this.dom.root.classList.remove("scw-open");
    this.dom.launcher.setAttribute("aria-label", "打开在线客服");
    store.set(this.keys.open, false);
  }

  autoGrow() {
    const input = this.dom.input;
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight + 2, 120) + "px";
  }

  scrollDown() {
    const box = this.dom.logBox;
    box.scrollTop = box.scrollHeight;
  }

  renderAll() {
    const box = this.dom.logBox;
    while (box.firstChild) box.removeChild(box.firstChild);
    const entries = this.log.entries;
    let lastUser = -1;
    entries.forEach((e, i) => {
      if (e.k === "user") lastUser = i;
    });
    box.appendChild(this.dom.empty);
    this.dom.empty.hidden = entries.length > 0;
    entries.forEach((e, i) => this.renderEntry(e, i > lastUser));
    box.appendChild(this.dom.typing);
    this.scrollDown();
  }

  renderEntry(entry, withReplies) {
    const node = entry.k === "user" ? this.renderUser(entry) : this.renderBot(entry.msg, withReplies);
    if (node) this.dom.logBox.insertBefore(node, this.dom.typing.parentNode ? this.dom.typing : null);
    this.dom.empty.hidden = this.log.entries.length > 0;
    return node;
  }

  renderUser(entry) {
    const wrap = el("div", "scw-msg scw-user");
    wrap.setAttribute("data-id", entry.id);
    if (entry.photo) wrap.appendChild(this.renderPhoto(entry));
    else wrap.appendChild(el("div", "scw-bubble", entry.text));
    this.markPending(wrap, entry);
    return wrap;
  }

  renderPhoto(entry) {
    const box = el("div", "scw-photo");
    const img = el("img", "scw-photo-img");
    img.alt = "您发送的图片";
    img.addEventListener("load", () => this.scrollDown());
    box.appendChild(img);
    const local = this.photoUrls.get(entry.id);
    if (local) img.src = local;
    else if (entry.photo.id) this.loadPhoto(entry, img);
    else box.classList.add("scw-photo-missing");
    return box;
  }

  // Progress, failure (with a retry while the file is still in memory) or nothing.
  markPhoto(wrap, entry) {
    const status = entry.status;
    wrap.classList.toggle("scw-pending", status === "pending" || status === "uploading");
    wrap.classList.toggle("scw-failed", status === "failed");
    let bar = wrap.querySelector(".scw-progress");
    if (status === "uploading") {
      if (!bar) {
        bar = el("div", "scw-progress");
        bar.setAttribute("role", "progressbar");
        bar.appendChild(el("span"));
        wrap.querySelector(".scw-photo").appendChild(bar);
      }
      bar.setAttribute("aria-valuenow", String(entry.progress || 0));
      bar.firstChild.style.width = (entry.progress || 0) + "%";
    } else if (bar) {
      bar.remove();
    }
    let text = "";
    if (status === "uploading") text = "上传中 " + (entry.progress || 0) + "%";
    else if (status === "pending") text = this.connected ? "发送中…" : "未发送，网络恢复后自动发送";
    else if (status === "failed") text = PHOTO_ERRORS[entry.error] || PHOTO_ERRORS.network;
    let note = wrap.querySelector(".scw-note");
    if (!text) {
      if (note) note.remove();
      return;
    }
    if (!note) {
      note = el("div", "scw-note");
      wrap.appendChild(note);
    }
    note.textContent = text;
    if (status === "failed" && this.files.has(entry.id)) {
      const retry = el("button", "scw-retry", "重试");
      retry.type = "button";
      retry.addEventListener("click", () => {
        entry.status = "pending";
        delete entry.error;
        this.save();
        this.refreshPending();
        this.flush();
      });
      note.appendChild(retry);
    }
  }

  // After a reload: the thumbnail from the server, for this conversation only.
  loadPhoto(entry, img) {
    const headers = {};
    if (this.sessionId) headers["X-Session-Id"] = this.sessionId;
    if (this.buyerToken) headers["X-Buyer-Token"] = this.buyerToken;
    const url = this.server + "/webhooks/socketio/photos/" + encodeURIComponent(entry.photo.id) + "?size=thumb";
    fetch(url, { headers, credentials: "omit" })
      .then((reply) => (reply.ok ? reply.blob() : Promise.reject(new Error(String(reply.status)))))
      .then((blob) => {
        const src = URL.createObjectURL(blob);
        this.photoUrls.set(entry.id, src);
        img.src = src;
      })
      .catch(() => {
        if (img.parentNode) img.parentNode.classList.add("scw-photo-missing");
      });
  }

  markPending(wrap, entry) {
    if (entry.photo) {
      this.markPhoto(wrap, entry);
      return;
    }
    const pending = entry.status === "pending";
    wrap.classList.toggle("scw-pending", pending);
    let note = wrap.querySelector(".scw-note");
    if (!pending) {
      if (note) note.remove();
      return;
    }
    if (!note) {
      note = el("div", "scw-note");
      wrap.appendChild(note);
    }
    note.textContent = this.connected ? "发送中…" : "未发送，网络恢复后自动发送";
  }

  refreshPending() {
    const byId = new Map();
    this.log.entries.forEach((entry) => {
      if (entry.k === "user") byId.set(entry.id, entry);
    });
    this.dom.logBox.querySelectorAll(".scw-user").forEach((wrap) => {
      const entry = byId.get(wrap.getAttribute("data-id"));
      if (entry) this.markPending(wrap, entry);
    });
  }

  renderBot(msg, withReplies) {
    if (!isObject(msg)) return null;
    const wrap = el("div", "scw-msg scw-bot");
    if (typeof msg.text === "string" && msg.text) wrap.appendChild(el("div", "scw-bubble", msg.text));

    const att = msg.attachment;
    if (isObject(att) && att.type === "image" && isObject(att.payload)) {
      const src = safeUrl(att.payload.src, this.server);
      if (src) {
        const img = el("img", "scw-image");
        img.alt = "图片";
        img.loading = "lazy";
        img.referrerPolicy = "no-referrer";
        img.src = src;
        img.addEventListener("load", () => this.scrollDown());
        wrap.appendChild(img);
      }
    }

    const custom = customPayload(msg);
    if (custom && Object.prototype.hasOwnProperty.call(CARDS, custom.type)) {
      wrap.appendChild(CARDS[custom.type](custom, this.server));
    } else if (custom && custom !== msg && typeof custom.text === "string" && custom.text) {
      wrap.appendChild(el("div", "scw-bubble", custom.text)); // unknown type: plain text only
    }

    const agent = typeof msg.agent_name === "string" ? msg.agent_name.trim() : "";
    if (agent && wrap.firstChild) {
      // A human agent's reply (sent from the console): say who wrote it.
      wrap.classList.add("scw-from-agent");
      wrap.insertBefore(el("div", "scw-agent", "人工客服 · " + agent), wrap.firstChild);
    }

    const replies = quickReplies(msg);
    if (withReplies && replies.length) {
      const group = el("div", "scw-replies");
      replies.forEach((r) => {
        const title = str(r.title || r.payload);
        const button = el("button", "scw-reply", title);
        button.type = "button";
        button.addEventListener("click", () => this.send(title, str(r.payload || r.title)));
        group.appendChild(button);
      });
      wrap.appendChild(group);
    }
    return wrap.firstChild ? wrap : null;
  }

  setTyping(on) {
    clearTimeout(this.typingTimer);
    this.dom.typing.hidden = !on;
    if (on) {
      this.typingTimer = setTimeout(() => {
        this.dom.typing.hidden = true;
        this.inflight = []; // no answer: do not resend these after an error
      }, TYPING_TIMEOUT_MS);
      this.scrollDown();
    }
  }

  showBanner(text) {
    this.dom.banner.textContent = text || "";
    this.dom.banner.hidden = !text;
  }

  setOnline(online) {
    this.connected = online;
    this.showBanner(online ? "" : "网络已断开，正在重连…");
    if (!online) this.setTyping(false);
    this.refreshPending();
  }

  // ----- transcript -----

  save() {
    if (this.log.entries.length > MAX_ENTRIES) {
      this.log.entries = this.log.entries.slice(-MAX_ENTRIES);
    }
    store.set(this.keys.log, this.log);
  }

  submitInput() {
    const text = this.dom.input.value.trim();
    if (!text) return;
    this.dom.input.value = "";
    this.autoGrow();
    this.send(text, text);
  }

  // Shows `text` as the buyer's bubble and sends `message` (a quick reply's payload).
  send(text, message) {
    this.dom.logBox.querySelectorAll(".scw-replies").forEach((g) => g.remove());
    this.nextId += 1;
    const entry = { k: "user", id: String(this.nextId), text, status: "pending" };
    if (message !== text) entry.payload = message;
    this.log.entries.push(entry);
    this.save();
    this.renderEntry(entry, false);
    this.scrollDown();
    this.flush();
  }

  // Shows the photo as the buyer's message at once and queues its upload.
  sendPhoto(file) {
    const typeOk = PHOTO_TYPES.includes(file.type) || (!file.type && PHOTO_EXTENSIONS.test(file.name));
    const problem = !typeOk ? "unsupported_type" : file.size > MAX_PHOTO_BYTES ? "too_large" : !file.size ? "empty" : null;
    if (problem) {
      this.showNotice(PHOTO_ERRORS[problem]);
      return;
    }
    this.showNotice("");
    this.dom.logBox.querySelectorAll(".scw-replies").forEach((g) => g.remove());
    this.nextId += 1;
    const entry = { k: "user", id: String(this.nextId), photo: {}, status: "pending" };
    this.files.set(entry.id, file);
    if (window.URL && URL.createObjectURL) this.photoUrls.set(entry.id, URL.createObjectURL(file));
    this.log.entries.push(entry);
    this.save();
    this.renderEntry(entry, false);
    this.scrollDown();
    this.flush();
  }

  upload(entry) {
    const file = this.files.get(entry.id);
    if (!file) {
      this.photoFailed(entry, "lost");
      return;
    }
    const form = new FormData();
    form.append("session_id", this.sessionId);
    if (this.buyerToken) form.append("buyer_token", this.buyerToken);
    if (this.productId) form.append("product_id", this.productId);
    form.append("file", file, file.name || "photo");
    const xhr = new XMLHttpRequest();
    this.uploading = xhr;
    entry.status = "uploading";
    entry.progress = 0;
    this.save();
    this.refreshPending();
    xhr.open("POST", this.server + "/webhooks/socketio/upload");
    xhr.timeout = 60000;
    xhr.upload.addEventListener("progress", (e) => {
      if (!e.lengthComputable || this.uploading !== xhr) return;
      entry.progress = Math.min(99, Math.round((100 * e.loaded) / e.total));
      this.refreshPending();
    });
    const done = () => this.uploaded(entry, xhr);
    xhr.addEventListener("load", done);
    xhr.addEventListener("error", done);
    xhr.addEventListener("timeout", done);
    xhr.send(form);
  }

  uploaded(entry, xhr) {
    if (this.uploading !== xhr) return;
    this.uploading = null;
    let body = null;
    try {
      body = JSON.parse(xhr.responseText);
    } catch (e) {
      body = null;
    }
    delete entry.progress;
    if (xhr.status === 201 && isObject(body) && typeof body.photo_id === "string") {
      entry.status = "sent";
      entry.photo = { id: body.photo_id };
      this.files.delete(entry.id);
      this.save();
      this.refreshPending();
      this.setTyping(true); // the assistant answers over the socket
      this.flush();
      return;
    }
    const code = isObject(body) && typeof body.error === "string" ? body.error : "network";
    if ((code === "no_session" || code === "buyer_changed") && !entry.retried) {
      // As for messages: get a session again, then the queue sends the photo again.
      entry.retried = true;
      entry.status = "pending";
      this.save();
      this.refreshPending();
      this.sessionId = null;
      store.remove(this.keys.session);
      if (this.connected) this.requestSession();
      return;
    }
    const known = Object.prototype.hasOwnProperty.call(PHOTO_ERRORS, code);
    this.photoFailed(entry, code === "no_session" || code === "buyer_changed" ? "session" : known ? code : "network");
  }

  photoFailed(entry, code) {
    entry.status = "failed";
    entry.error = code;
    if (!["network", "rate_limited", "session"].includes(code)) this.files.delete(entry.id);
    this.save();
    this.refreshPending();
    this.flush();
  }

  showNotice(text) {
    clearTimeout(this.noticeTimer);
    this.dom.notice.textContent = text || "";
    this.dom.notice.hidden = !text;
    if (text) this.noticeTimer = setTimeout(() => this.showNotice(""), NOTICE_MS);
  }

  // Sends queued messages, oldest first and a second apart, once the session is confirmed.
  // A photo goes over HTTP; what was queued after it waits until it is through.
  flush() {
    clearTimeout(this.flushTimer);
    if (!this.socket || !this.connected || !this.ready || !this.sessionId) return;
    const entry = this.log.entries.find(
      (e) => e.k === "user" && (e.status === "pending" || e.status === "uploading"),
    );
    if (!entry || entry.status === "uploading") return;
    if (entry.photo) {
      this.upload(entry);
      return;
    }
    const wait = this.lastEmit + SEND_GAP_MS - Date.now();
    if (wait > 0) {
      this.flushTimer = setTimeout(() => this.flush(), wait);
      return;
    }
    this.socket.emit("user_uttered", {
      message: entry.payload || entry.text,
      session_id: this.sessionId,
      metadata: { buyer_token: this.buyerToken, product_id: this.productId },
    });
    this.lastEmit = Date.now();
    entry.status = "sent";
    this.inflight.push(entry);
    this.save();
    this.refreshPending();
    this.setTyping(true);
    this.flushTimer = setTimeout(() => this.flush(), SEND_GAP_MS);
  }

  receive(msg) {
    if (!isObject(msg)) return;
    this.setTyping(false);
    this.inflight = [];
    this.errors = 0;
    const entry = { k: "bot", msg };
    this.log.entries.push(entry);
    // The server time of the latest message, sent back as `since` on reconnect.
    if (typeof this.clockOffset === "number") this.log.synced_at = Date.now() / 1000 + this.clockOffset;
    this.save();
    if (this.renderEntry(entry, true)) {
      this.scrollDown();
      if (!this.isOpen) this.dom.unread.hidden = false;
    }
  }

  // A message the assistant sent while this widget was closed (the server replays
  // them after session_confirm); one already in the transcript is skipped.
  receiveMissed(msg) {
    if (!isObject(msg)) return;
    const same = JSON.stringify(msg);
    const recent = this.log.entries.filter((e) => e.k === "bot").slice(-MISSED_WINDOW);
    if (recent.some((e) => JSON.stringify(e.msg) === same)) return;
    this.receive(msg);
  }

  // The conversation so far, which the server sends a widget that asked without
  // `since` (another browser, or another buyer used this one since). Ignored once
  // this widget shows messages of its own; unsent messages stay after it.
  receiveHistory(data) {
    if (!isObject(data) || !Array.isArray(data.entries)) return;
    const unsent = (e) => e.k === "user" && e.status !== "sent";
    if (this.log.entries.some((e) => !unsent(e))) return;
    const past = [];
    data.entries.slice(-MAX_ENTRIES).forEach((item, i) => {
      if (!isObject(item)) return;
      const id = "h" + i;
      if (item.k === "bot" && isObject(item.msg)) past.push({ k: "bot", msg: item.msg });
      else if (item.k !== "user") return;
      else if (typeof item.text === "string") past.push({ k: "user", id, text: item.text, status: "sent" });
      else if (isObject(item.photo) && ["number", "string"].includes(typeof item.photo.id)) {
        past.push({ k: "user", id, photo: { id: item.photo.id }, status: "sent" });
      }
    });
    if (!past.length) return;
    this.log.entries = past.concat(this.log.entries);
    this.save();
    this.renderAll();
  }

  // ----- socket -----

  connect() {
    const url = new URL(this.server, window.location.href);
    const prefix = url.pathname.replace(/\/+$/, "");
    this.inflight = [];
    const socket = io(url.origin, {
      path: this.socketPath || prefix + "/socket.io",
      transports: ["websocket", "polling"],
      tryAllTransports: true,
      reconnection: true,
      reconnectionDelay: 1000,
      reconnectionDelayMax: 5000,
      timeout: 10000,
    });
    this.socket = socket;

    socket.on("connect", () => {
      this.errors = 0;
      this.setOnline(true);
      this.requestSession();
    });
    socket.on("disconnect", (reason) => {
      this.ready = false;
      clearTimeout(this.flushTimer);
      this.setOnline(false);
      // The server closed us: socket.io will not retry by itself in that case.
      if (reason === "io server disconnect") setTimeout(() => socket.connect(), 1000);
    });
    socket.on("connect_error", () => {
      this.ready = false;
      this.setOnline(false);
    });
    socket.on("session_confirm", (data) => this.confirmSession(data));
    socket.on("bot_uttered", (msg) => this.receive(msg));
    socket.on("bot_missed", (msg) => this.receiveMissed(msg));
    socket.on("bot_history", (data) => this.receiveHistory(data));
    socket.on("error", (data) => this.handleError(data));
  }

  requestSession() {
    this.ready = false;
    const request = { session_id: this.sessionId || null, buyer_token: this.buyerToken };
    // The server time of the latest message we have: the server replays what came later.
    if (this.log.synced_at) request.since = this.log.synced_at;
    this.socket.emit("session_request", request);
  }

  confirmSession(data) {
    const id = typeof data === "string" ? data : isObject(data) ? data.session_id : null;
    if (typeof id !== "string" || !id) return;
    if (this.log.session_id && this.log.session_id !== id) {
      // A new conversation: drop the old transcript, keep what is still unsent.
      this.log.entries = this.log.entries.filter(
        (e) => e.k === "user" && (e.status === "pending" || e.status === "uploading"),
      );
      this.log.synced_at = null;
      this.renderAll();
    }
    if (isObject(data) && typeof data.server_time === "number") {
      this.clockOffset = data.server_time - Date.now() / 1000;
      if (!this.log.synced_at) this.log.synced_at = data.server_time;
    }
    this.log.session_id = id;
    this.sessionId = id;
    store.set(this.keys.session, id);
    this.save();
    this.ready = true;
    this.flush();
  }

  handleError(data) {
    const code = isObject(data) ? data.code : data;
    const limited = code === "rate_limited";
    clearTimeout(this.flushTimer);
    this.ready = false;
    if (!limited) this.errors += 1;
    // What was sent since the last answer may have been refused: send it again.
    this.inflight.forEach((entry) => {
      entry.status = "pending";
    });
    this.inflight = [];
    this.save();
    this.refreshPending();
    this.setTyping(false);
    if (code === "buyer_changed" || code === "no_session") {
      this.sessionId = null;
      store.remove(this.keys.session);
    }
    if (this.errors > 5) {
      this.showBanner("会话出错，请刷新页面重试"); // give up rather than loop
      return;
    }
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(
      () => {
        if (this.connected) this.requestSession();
      },
      limited ? RATE_LIMIT_BACKOFF_MS : Math.min(200 * this.errors, 2000),
    );
  }

  setProduct(productId) {
    this.productId = productId || null;
  }

  destroy() {
    clearTimeout(this.noticeTimer);
    if (this.uploading) this.uploading.abort();
    this.uploading = null;
    this.photoUrls.forEach((url) => URL.revokeObjectURL(url));
    clearTimeout(this.typingTimer);
    clearTimeout(this.flushTimer);
    clearTimeout(this.retryTimer);
    if (this.socket) {
      this.socket.removeAllListeners();
      this.socket.disconnect();
    }
    this.dom.root.remove();
  }
}

// ---------- public API and auto-start from the script tag ----------

let instance = null;

function defaultServer() {
  if (SCRIPT && SCRIPT.src) return new URL(SCRIPT.src, window.location.href).origin;
  return window.location.origin;
}

function init(options) {
  const opts = Object.assign({}, options || {});
  opts.server = opts.server || defaultServer();
  if (instance) instance.destroy();
  const start = () => {
    instance = new Widget(opts);
  };
  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start, { once: true });
  return api;
}

const api = {
  version: VERSION,
  init,
  open: () => instance && instance.open(),
  close: () => instance && instance.close(),
  setProduct: (id) => instance && instance.setProduct(id),
  destroy: () => {
    if (instance) instance.destroy();
    instance = null;
  },
};

if (!window.ShopChat) {
  window.ShopChat = api;
  const data = SCRIPT ? SCRIPT.dataset : {};
  if (data && (data.server || data.shopName || data.buyerToken || data.productId)) {
    let token = data.buyerToken || null;
    // Demo pages only: data-buyer-token-param="t" reads the token from ?t=…
    if (!token && data.buyerTokenParam) {
      token = new URLSearchParams(window.location.search).get(data.buyerTokenParam);
    }
    init({
      server: data.server,
      shopName: data.shopName,
      buyerToken: token,
      productId: data.productId,
      socketPath: data.socketPath,
    });
  }
}
