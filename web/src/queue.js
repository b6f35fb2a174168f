// The offline queue: the buyer's messages and photos wait in the transcript as
// "pending" until the socket is connected and the session confirmed, then go out
// oldest first, a second apart (a photo over HTTP, see photos.js).
import { SEND_GAP_MS } from "./constants.js";

// Methods of the Widget.
export const queue = {
  // The id of the buyer's next entry; the quick replies shown so far go away.
  newEntryId() {
    this.dom.logBox.querySelectorAll(".scw-replies").forEach((g) => g.remove());
    this.nextId += 1;
    return String(this.nextId);
  },

  // Adds the buyer's entry to the transcript and the page, then sends what it can.
  enqueue(entry) {
    this.log.entries.push(entry);
    this.save();
    this.renderEntry(entry, false);
    this.scrollDown();
    this.flush();
  },

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
  },
};
