// Messages to the agent: a connection banner that stays until the next success,
// and short notices (errors and confirmations) that fade after a few seconds.

import { errorText } from "./api.js";
import { byId, el } from "./dom.js";

const offline = new Set();

// A poll (queue or conversation) failed to reach the server, or succeeded again.
export function connection(source, ok) {
  if (ok) offline.delete(source);
  else offline.add(source);
  const banner = byId("connection");
  if (!banner) return;
  banner.hidden = offline.size === 0;
  banner.textContent = "与服务器的连接中断，正在重试…";
}

function notice(text, kind, ms) {
  const box = byId("notices");
  if (!box) return;
  const item = el("div", `notice notice-${kind}`, text);
  item.setAttribute("role", kind === "error" ? "alert" : "status");
  box.appendChild(item);
  while (box.children.length > 4) box.removeChild(box.firstChild);
  setTimeout(() => item.remove(), ms);
}

export function showError(errorOrText) {
  const text = typeof errorOrText === "string" ? errorOrText : errorText(errorOrText);
  notice(text, "error", 6000);
}

export function showInfo(text) {
  notice(text, "info", 3000);
}

export function clearNotices() {
  const box = byId("notices");
  if (box) box.replaceChildren();
  offline.clear();
  connection("", true);
}
