// The transcript in localStorage: one session id, one log of entries and the
// panel's open state per server and shop, kept only for the same buyer.
//
// An entry is {k: "bot", msg} or {k: "user", id, text | photo, status, ...}; status is
// "pending" (queued), "uploading" (a photo), "sent" or "failed" (a photo).
import { MAX_ENTRIES } from "./constants.js";
import { isObject, str } from "./util.js";

export const store = {
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

// A short fingerprint of the buyer token (FNV-1a), so the stored transcript is
// only shown again to the same buyer, without keeping the token itself.
export function fingerprint(value) {
  let h = 0x811c9dc5;
  const s = str(value);
  for (let i = 0; i < s.length; i += 1) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16);
}

// Methods of the Widget (this.server, this.shopName, this.buyerToken set).
export const transcript = {
  // Sets this.keys, this.buyer, this.sessionId and this.log from storage.
  loadTranscript() {
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
    this.log.entries.forEach((entry) => {
      // A photo not sent before the reload is gone: the File object did not survive.
      if (entry.k === "user" && entry.photo && entry.status !== "sent") {
        entry.status = "failed";
        entry.error = "lost";
      }
    });
  },

  save() {
    if (this.log.entries.length > MAX_ENTRIES) {
      this.log.entries = this.log.entries.slice(-MAX_ENTRIES);
    }
    store.set(this.keys.log, this.log);
  },
};
