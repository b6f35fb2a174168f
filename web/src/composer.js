// The composer: the camera button with its hidden file input, the text input
// (Enter sends, except while a Chinese IME composes; Shift+Enter is a newline) and
// the send button.
import { MAX_INPUT, PHOTO_TYPES } from "./constants.js";
import { cameraIcon } from "./icons.js";
import { el } from "./util.js";

// Methods of the Widget.
export const composer = {
  // The composer's form and controls, with their events wired.
  buildComposer() {
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
    return { form, input, send, attach, file };
  },

  autoGrow() {
    const input = this.dom.input;
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight + 2, 120) + "px";
  },

  submitInput() {
    const text = this.dom.input.value.trim();
    if (!text) return;
    this.dom.input.value = "";
    this.autoGrow();
    this.send(text, text);
  },

  // Shows `text` as the buyer's bubble and sends `message` (a quick reply's payload).
  send(text, message) {
    const entry = { k: "user", id: this.newEntryId(), text, status: "pending" };
    if (message !== text) entry.payload = message;
    this.enqueue(entry);
  },
};
