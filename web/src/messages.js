// The transcript on the page: the buyer's bubbles (with "sending…" notes), the
// bot's messages (text, image, card, agent name, quick-reply buttons). Buyer photos
// are drawn by photos.js.
import { CARDS, customPayload, quickReplies } from "./cards.js";
import { el, isObject, safeUrl, str } from "./util.js";

// Methods of the Widget.
export const messages = {
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
    // Only the bot's messages after the buyer's last one keep their quick replies.
    entries.forEach((e, i) => this.renderEntry(e, i > lastUser));
    box.appendChild(this.dom.typing);
    this.scrollDown();
  },

  renderEntry(entry, withReplies) {
    const node = entry.k === "user" ? this.renderUser(entry) : this.renderBot(entry.msg, withReplies);
    if (node) this.dom.logBox.insertBefore(node, this.dom.typing.parentNode ? this.dom.typing : null);
    this.dom.empty.hidden = this.log.entries.length > 0;
    return node;
  },

  renderUser(entry) {
    const wrap = el("div", "scw-msg scw-user");
    wrap.setAttribute("data-id", entry.id);
    if (entry.photo) wrap.appendChild(this.renderPhoto(entry));
    else wrap.appendChild(el("div", "scw-bubble", entry.text));
    this.markPending(wrap, entry);
    return wrap;
  },

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
  },

  // Redraws the status of every buyer entry on the page.
  refreshPending() {
    const byId = new Map();
    this.log.entries.forEach((entry) => {
      if (entry.k === "user") byId.set(entry.id, entry);
    });
    this.dom.logBox.querySelectorAll(".scw-user").forEach((wrap) => {
      const entry = byId.get(wrap.getAttribute("data-id"));
      if (entry) this.markPending(wrap, entry);
    });
  },

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
  },
};
