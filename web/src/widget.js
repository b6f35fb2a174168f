// Buyers' chat widget of the shoe-shop assistant: the entry module.
//
// Talks to the Rasa socket.io channel (channels/socketio.py): session_request /
// session_confirm, user_uttered / bot_uttered, error. Photos go over HTTP
// (channels/uploads.py): POST <server>/webhooks/socketio/upload, shown again after a
// reload from GET <server>/webhooks/socketio/photos/<id>?size=thumb. Built with esbuild
// into one file, channels/static/widget.js, with socket.io-client and the CSS inside.
//
// Everything a buyer, the server or the database wrote is put on the page with
// textContent / createElement only, never innerHTML, and URLs must be http(s).
//
// The Widget class is put together from one module per concern (docs/widget.md,
// "Source layout"); each adds methods that share the widget's state on `this`.
import { VERSION } from "./constants.js";
import { composer } from "./composer.js";
import { messages } from "./messages.js";
import { injectStyle, panel } from "./panel.js";
import { photos } from "./photos.js";
import { queue } from "./queue.js";
import { socket } from "./socket.js";
import { store, transcript } from "./storage.js";
import { mixin } from "./util.js";

const SCRIPT =
  document.currentScript || document.querySelector('script[src*="widget.js"][data-shop-name]');

class Widget {
  constructor(options) {
    this.server = options.server.replace(/\/+$/, "");
    this.shopName = options.shopName || "在线客服";
    this.buyerToken = options.buyerToken || null;
    this.productId = options.productId || null;
    this.socketPath = options.socketPath || null;
    this.loadTranscript(); // keys, buyer, sessionId, log

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

    injectStyle();
    this.buildDom();
    this.renderAll();
    if (store.get(this.keys.open)) this.open();
    this.connect();
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

mixin(Widget.prototype, transcript, panel, composer, messages, photos, queue, socket);

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
