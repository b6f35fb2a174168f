// The agent's presence switch (在线 / 离开 / 离线) and the limit message, at the top of
// the queue. Only 在线 agents are assigned conversations; the switch is stored on the
// server (a new account starts 离线, and 退出登录 switches to 离线 first), so every
// queue poll shows the stored value. The "已达上限" message sits in the queue pane's
// flow, above the lists, so it never covers a conversation there.

import { api, routes } from "./api.js";
import { byId, str } from "./dom.js";
import { PRESENCE } from "./labels.js";
import { showError } from "./notify.js";

const HINTS = {
  online: "接收新会话：系统按负载自动分配",
  away: "暂时离开：不分配新会话，接待中的会话仍归您",
  offline: "离线：不分配新会话；退出登录时也会切换为离线",
};
const LIMIT_MS = 10_000;

let current = null; // the stored status, as the last answer said
let me = null; // the agent's A row from the last queue poll
let busy = false;
let limitTimer = null;
let started = false;
let onChange = () => {};

function show(status) {
  current = status in PRESENCE ? status : null;
  document.querySelectorAll("#presence-switch [data-presence]").forEach((b) => {
    const on = b.dataset.presence === current;
    b.classList.toggle("active", on);
    b.setAttribute("aria-checked", String(on));
    b.disabled = busy;
  });
  const hint = byId("presence-hint");
  if (!hint) return;
  let text = current ? HINTS[current] : "正在读取状态…";
  if (current === "online" && me) {
    text += `（接待中 ${str(me.open)}/${str(me.max_open)}`;
    text += Number(me.left) > 0 ? `，另有 ${str(me.left)} 个买家已离开）` : "）";
  }
  hint.textContent = text;
  byId("presence")?.setAttribute("data-status", current || "");
}

async function choose(status) {
  if (busy || status === current) return;
  busy = true;
  show(current);
  try {
    const answer = await api.put(routes.presence, { status });
    me = answer || me;
    show(answer && answer.status ? answer.status : status);
    if (status === "online") hideLimit();
    onChange(status);
  } catch (error) {
    if (error.status !== 401) showError(error);
  } finally {
    busy = false;
    show(current);
  }
}

// The queue poll's answer: `me` is this agent's A row (status, open, left, max_open).
export function renderPresence(queue) {
  if (!queue || !queue.me || typeof queue.me !== "object") return;
  me = queue.me;
  if (!busy) show(str(me.status));
  if (limitTimer && Number(me.open) < Number(me.max_open)) hideLimit();
}

// "已达上限" after a refused 接入, in the queue pane's flow (not a toast over the queue).
export function showLimit() {
  const box = byId("queue-limit");
  if (!box) return false;
  const load = me ? `（接待中 ${str(me.open)}/${str(me.max_open)}）` : "";
  box.querySelector(".queue-limit-text").textContent =
    `已达上限${load}：请先结束、交还或释放一个会话再接入。买家已离开的会话不计入上限。`;
  box.hidden = false;
  box.scrollIntoView({ block: "nearest" }); // a scrolled (or phone-height) queue pane
  clearTimeout(limitTimer);
  limitTimer = setTimeout(hideLimit, LIMIT_MS);
  return true;
}

export function hideLimit() {
  clearTimeout(limitTimer);
  limitTimer = null;
  const box = byId("queue-limit");
  if (box) box.hidden = true;
}

// Wires the switch once; `changed(status)` runs after the server stored a new status.
export function initPresence(changed) {
  onChange = changed || (() => {});
  if (started) return;
  started = true;
  document.querySelectorAll("#presence-switch [data-presence]").forEach((b) => {
    b.addEventListener("click", () => choose(b.dataset.presence));
  });
  byId("queue-limit-close")?.addEventListener("click", hideLimit);
  // 退出登录 switches to 离线 first (the request leaves before the logout's own).
  byId("logout")?.addEventListener(
    "click",
    () => {
      if (current && current !== "offline") {
        api.put(routes.presence, { status: "offline" }).catch(() => {});
        show("offline");
      }
    },
    { capture: true },
  );
  show(current);
}
