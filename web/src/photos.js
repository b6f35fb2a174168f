// Buyer photos: the checks before sending, the upload over HTTP
// (POST <server>/webhooks/socketio/upload, channels/uploads.py) with its progress and
// errors, and the photo in the transcript (the local thumbnail, or after a reload the
// server's, GET <server>/webhooks/socketio/photos/<id>?size=thumb).
import { MAX_PHOTO_BYTES, PHOTO_ERRORS, PHOTO_EXTENSIONS, PHOTO_TYPES } from "./constants.js";
import { store } from "./storage.js";
import { el, isObject } from "./util.js";

// Methods of the Widget.
export const photos = {
  // Shows the photo as the buyer's message at once and queues its upload.
  sendPhoto(file) {
    const typeOk = PHOTO_TYPES.includes(file.type) || (!file.type && PHOTO_EXTENSIONS.test(file.name));
    const problem = !typeOk ? "unsupported_type" : file.size > MAX_PHOTO_BYTES ? "too_large" : !file.size ? "empty" : null;
    if (problem) {
      this.showNotice(PHOTO_ERRORS[problem]);
      return;
    }
    this.showNotice("");
    const entry = { k: "user", id: this.newEntryId(), photo: {}, status: "pending" };
    this.files.set(entry.id, file);
    if (window.URL && URL.createObjectURL) this.photoUrls.set(entry.id, URL.createObjectURL(file));
    this.enqueue(entry);
  },

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
  },

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
  },

  photoFailed(entry, code) {
    entry.status = "failed";
    entry.error = code;
    if (!["network", "rate_limited", "session"].includes(code)) this.files.delete(entry.id);
    this.save();
    this.refreshPending();
    this.flush();
  },

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
  },

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
  },

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
  },
};
