// The launcher button and the chat panel: building their DOM (the composer comes
// from composer.js), opening and closing, the banner, notice and typing lines.
import css from "./widget.css";
import { NOTICE_MS, TYPING_TIMEOUT_MS, VERSION } from "./constants.js";
import { chatIcon } from "./icons.js";
import { store } from "./storage.js";
import { el } from "./util.js";

export function injectStyle() {
  if (document.getElementById("scw-style")) return;
  const style = el("style");
  style.id = "scw-style";
  style.textContent = css;
  (document.head || document.documentElement).appendChild(style);
}

// Methods of the Widget.
export const panel = {
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

    const panelBox = el("div", "scw-panel");
    panelBox.hidden = true;
    panelBox.setAttribute("role", "dialog");
    panelBox.setAttribute("aria-label", this.shopName + " 在线客服");

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

    const { form, input, send, attach, file } = this.buildComposer();

    panelBox.appendChild(header);
    panelBox.appendChild(banner);
    panelBox.appendChild(logBox);
    panelBox.appendChild(notice);
    panelBox.appendChild(form);
    root.appendChild(panelBox);
    root.appendChild(launcher);
    (document.body || document.documentElement).appendChild(root);

    this.dom = {
      root,
      launcher,
      unread,
      panel: panelBox,
      banner,
      logBox,
      empty,
      typing,
      notice,
      input,
      send,
      attach,
      file,
    };
  },

  get isOpen() {
    return !this.dom.panel.hidden;
  },

  open() {
    this.dom.panel.hidden = false;
    this.dom.root.classList.add("scw-open");
    this.dom.unread.hidden = true;
    this.dom.launcher.setAttribute("aria-label", "关闭在线客服");
    store.set(this.keys.open, true);
    this.scrollDown();
    this.dom.input.focus({ preventScroll: true });
  },

  close() {
    this.dom.panel.hidden = true;
    this.dom.root.classList.remove("scw-open");
    this.dom.launcher.setAttribute("aria-label", "打开在线客服");
    store.set(this.keys.open, false);
  },

  scrollDown() {
    const box = this.dom.logBox;
    box.scrollTop = box.scrollHeight;
  },

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
  },

  showBanner(text) {
    this.dom.banner.textContent = text || "";
    this.dom.banner.hidden = !text;
  },

  // The red line above the input (a refused photo), gone after NOTICE_MS.
  showNotice(text) {
    clearTimeout(this.noticeTimer);
    this.dom.notice.textContent = text || "";
    this.dom.notice.hidden = !text;
    if (text) this.noticeTimer = setTimeout(() => this.showNotice(""), NOTICE_MS);
  },
};
