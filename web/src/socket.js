// The socket.io protocol of channels/socketio.py: connecting and reconnecting,
// session_request / session_confirm, the bot's messages (bot_uttered), the catch-up
// after a reload or on another browser (bot_missed, bot_history), and error.
import { io } from "socket.io-client";
import { MAX_ENTRIES, MISSED_WINDOW, RATE_LIMIT_BACKOFF_MS } from "./constants.js";
import { store } from "./storage.js";
import { isObject } from "./util.js";

// Methods of the Widget.
export const socket = {
  connect() {
    const url = new URL(this.server, window.location.href);
    const prefix = url.pathname.replace(/\/+$/, "");
    this.inflight = [];
    const sock = io(url.origin, {
      path: this.socketPath || prefix + "/socket.io",
      transports: ["websocket", "polling"],
      tryAllTransports: true,
      reconnection: true,
      reconnectionDelay: 1000,
      reconnectionDelayMax: 5000,
      timeout: 10000,
    });
    this.socket = sock;

    sock.on("connect", () => {
      this.errors = 0;
      this.setOnline(true);
      this.requestSession();
    });
    sock.on("disconnect", (reason) => {
      this.ready = false;
      clearTimeout(this.flushTimer);
      this.setOnline(false);
      // The server closed us: socket.io will not retry by itself in that case.
      if (reason === "io server disconnect") setTimeout(() => sock.connect(), 1000);
    });
    sock.on("connect_error", () => {
      this.ready = false;
      this.setOnline(false);
    });
    sock.on("session_confirm", (data) => this.confirmSession(data));
    sock.on("bot_uttered", (msg) => this.receive(msg));
    sock.on("bot_missed", (msg) => this.receiveMissed(msg));
    sock.on("bot_history", (data) => this.receiveHistory(data));
    sock.on("error", (data) => this.handleError(data));
  },

  setOnline(online) {
    this.connected = online;
    this.showBanner(online ? "" : "网络已断开，正在重连…");
    if (!online) this.setTyping(false);
    this.refreshPending();
  },

  requestSession() {
    this.ready = false;
    const request = { session_id: this.sessionId || null, buyer_token: this.buyerToken };
    // The server time of the latest message we have: the server replays what came later.
    if (this.log.synced_at) request.since = this.log.synced_at;
    this.socket.emit("session_request", request);
  },

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
  },

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
  },

  // A message the assistant sent while this widget was closed (the server replays
  // them after session_confirm); one already in the transcript is skipped.
  receiveMissed(msg) {
    if (!isObject(msg)) return;
    const same = JSON.stringify(msg);
    const recent = this.log.entries.filter((e) => e.k === "bot").slice(-MISSED_WINDOW);
    if (recent.some((e) => JSON.stringify(e.msg) === same)) return;
    this.receive(msg);
  },

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
  },

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
  },
};
