// The open conversation: its head, its full history (refreshed every 1.5 s, keeping
// the scroll position unless the agent is at the bottom) and the buyer panel.

import { api, errorText, routes } from "./api.js";
import {
  byId,
  clear,
  el,
  formatDuration,
  formatTime,
  poller,
  priorityLabel,
  reasonLabel,
  str,
} from "./dom.js";
import { OUTCOMES, STATUSES } from "./labels.js";
import { messageKey, renderMessage } from "./messages.js";
import { connection, showError } from "./notify.js";
import { setSelected } from "./queue.js";
import { renderSide } from "./side.js";
import { emit, isMine, on, state } from "./state.js";

const POLL_MS = 1500;
const BOTTOM_SLACK = 40; // px: "at the bottom" when this close to it

let shownKeys = null; // null: nothing rendered yet
let lastError = "";
let stickToBottom = true;

function buyerTitle(e) {
  if (e.buyer_name && e.buyer_id) return `${str(e.buyer_name)}（${str(e.buyer_id)}）`;
  if (e.buyer_name) return str(e.buyer_name);
  return e.buyer_id ? `买家 ${str(e.buyer_id)}` : "访客";
}

function statusText(e) {
  if (e.status === "resolved") return OUTCOMES[e.outcome] || STATUSES.resolved;
  if (e.status === "assigned") {
    if (isMine(e)) return "由我接待中";
    return `由 ${str(e.agent && e.agent.display_name) || "其他客服"} 接待中`;
  }
  return STATUSES[e.status] || str(e.status);
}

function renderHead(e) {
  byId("chat-buyer").textContent = buyerTitle(e);
  const status = byId("chat-status");
  status.textContent = statusText(e);
  status.className = `status status-${str(e.status)}${isMine(e) ? " status-mine" : ""}`;
  const meta = clear(byId("chat-meta"));
  const add = (text, cls = "meta") => text && meta.appendChild(el("span", cls, text));
  add(priorityLabel(e.priority), `badge priority-badge p${str(e.priority)}`);
  add(reasonLabel(e), "meta meta-reason");
  if (e.order_id) add(`订单 ${str(e.order_id)}`);
  add(`转人工 ${formatTime(e.created_at)}`);
  if (e.status === "waiting") add(`已等待 ${formatDuration(e.waiting_seconds)}`);
  add(`会话 ${str(e.conversation_id)}`, "meta meta-id");
  byId("chat-summary").textContent = str(e.summary);
  byId("chat-summary").hidden = !e.summary;
}

function atBottom(box) {
  return box.scrollHeight - box.scrollTop - box.clientHeight <= BOTTOM_SLACK;
}

// follow: the agent was at the bottom (or just opened or sent): stay there.
function renderMessages(messages, follow, top) {
  const box = byId("messages");
  const keys = messages.map(messageKey);
  const prefix =
    shownKeys !== null &&
    shownKeys.length <= keys.length &&
    shownKeys.every((k, i) => k === keys[i]);
  if (prefix && shownKeys.length === keys.length) {
    if (follow) box.scrollTop = box.scrollHeight; // the box may have shrunk
    return;
  }
  if (prefix && shownKeys.length > 0) {
    messages.slice(shownKeys.length).forEach((m) => box.appendChild(renderMessage(m)));
  } else {
    clear(box);
    if (!messages.length) box.appendChild(el("p", "muted center", "暂无消息"));
    messages.forEach((m) => box.appendChild(renderMessage(m)));
  }
  shownKeys = keys;
  if (follow) box.scrollTop = box.scrollHeight;
  else box.scrollTop = top;
  stickToBottom = false;
}

function render(detail) {
  const box = byId("messages");
  const follow = stickToBottom || atBottom(box);
  const top = box.scrollTop;
  renderHead(detail.escalation || {});
  renderSide(detail);
  emit("detail", detail); // the reply box and suggestions, which change the box's height
  renderMessages(Array.isArray(detail.messages) ? detail.messages : [], follow, top);
}

async function poll() {
  const id = state.openId;
  if (id === null) return;
  try {
    const detail = await api.get(routes.escalation(id));
    if (state.openId !== id) return;
    connection("chat", true);
    lastError = "";
    state.detail = detail || {};
    render(state.detail);
  } catch (error) {
    if (state.openId !== id || error.status === 401) return;
    if (error.status === 0) {
      connection("chat", false);
      return;
    }
    const text = errorText(error);
    if (text !== lastError) showError(text); // once, not every 1.5 s
    lastError = text;
    if (error.status === 404 || error.status === 403) closeConversation();
  }
}

const chatPoller = poller(poll, POLL_MS);

export function openConversation(id) {
  if (state.openId !== null && String(state.openId) === String(id)) {
    chatPoller.now();
    return;
  }
  chatPoller.stop();
  const previous = state.openId;
  state.openId = id;
  state.detail = null;
  shownKeys = null;
  lastError = "";
  stickToBottom = true;
  clear(byId("messages")).appendChild(el("p", "muted center", "正在加载会话…"));
  byId("chat-empty").hidden = true;
  byId("chat").hidden = false;
  renderSide(null);
  setSelected(id);
  emit("opened", { id, previous });
  chatPoller.start();
}

export function closeConversation() {
  chatPoller.stop();
  const previous = state.openId;
  state.openId = null;
  state.detail = null;
  shownKeys = null;
  byId("chat").hidden = true;
  byId("chat-empty").hidden = false;
  renderSide(null);
  setSelected(null);
  emit("closed", { previous });
}

export function refreshConversation({ toBottom = false } = {}) {
  if (toBottom) stickToBottom = true;
  chatPoller.now();
}

export function stopConversation() {
  closeConversation();
}

on("sent", () => refreshConversation({ toBottom: true }));
on("changed", () => refreshConversation());
