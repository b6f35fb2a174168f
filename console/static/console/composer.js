// The reply box: Enter sends (never while a Chinese IME is composing), Shift+Enter
// is a new line, 1..1000 characters; the assistant's suggestions as chips; one
// draft per conversation.

import { api, routes } from "./api.js";
import { button, byId, charCount, clear, insertAtCursor, isObject, str } from "./dom.js";
import { showError } from "./notify.js";
import { emit, isMine, on, openEscalation, state } from "./state.js";

const MAX_CHARS = 1000;
// Where a suggestion comes from (console/suggestions.py): all are the assistant's own answer.
const SUGGESTION_SOURCES = {
  answered: "机器人转人工前的回答",
  predicted: "机器人会这样回答",
  rule: "机器人的固定回答",
};
const drafts = new Map();
let composing = false;
let sending = false;
let shownSuggestions = "";

function box() {
  return byId("reply");
}

function updateCount() {
  const n = charCount(box().value.trim());
  const count = byId("reply-count");
  count.textContent = `${n}/${MAX_CHARS}`;
  count.classList.toggle("over", n > MAX_CHARS);
  byId("send").disabled = sending || box().disabled || n === 0 || n > MAX_CHARS;
}

function setEnabled(enabled, hint) {
  const reply = box();
  reply.disabled = !enabled;
  byId("toggle-quick").disabled = !enabled;
  byId("reply-hint").textContent = enabled ? "" : hint;
  reply.placeholder = enabled ? "输入回复，Enter 发送，Shift+Enter 换行" : hint;
  updateCount();
}

function disabledHint(e) {
  if (!e) return "正在加载…";
  if (e.status === "waiting") return "接入后才能回复";
  if (e.status === "resolved" && e.outcome === "handed_back") return "已交还机器人，不能再回复";
  if (e.status === "resolved" && e.outcome === "buyer_cancelled") return "买家已取消排队，不能再回复";
  if (e.status === "resolved") return "会话已结束，不能再回复";
  return "该会话由其他客服接待，只能查看";
}

async function send() {
  const e = openEscalation();
  const text = box().value.trim();
  const n = charCount(text);
  if (!e || !isMine(e) || sending || n === 0) return;
  if (n > MAX_CHARS) {
    showError(`回复最多 ${MAX_CHARS} 字，当前 ${n} 字`);
    return;
  }
  const id = state.openId;
  sending = true;
  updateCount();
  try {
    await api.post(routes.action(id, "reply"), { text });
    if (state.openId === id) {
      box().value = "";
      drafts.delete(String(id));
    }
    emit("sent", { id });
  } catch (error) {
    if (error.status !== 401) showError(error); // the text stays in the box
    if (error.status === 409) emit("changed", { id });
  } finally {
    sending = false;
    updateCount();
  }
}

function renderSuggestions(detail) {
  const list = detail && Array.isArray(detail.suggestions) ? detail.suggestions : [];
  const usable = isMine(detail && detail.escalation) ? list.filter(isObject) : [];
  const key = JSON.stringify(usable);
  if (key === shownSuggestions) return;
  shownSuggestions = key;
  const chips = clear(byId("suggestion-chips"));
  byId("suggestions").hidden = usable.length === 0;
  usable.forEach((s) => {
    const text = str(s.text);
    const label = charCount(text) > 40 ? `${Array.from(text).slice(0, 40).join("")}…` : text;
    const chip = button(label, "chip suggestion", () => insertAtCursor(box(), text));
    const score = Number(s.confidence);
    const source = SUGGESTION_SOURCES[s.source] || "机器人的回答";
    chip.title = `${text}\n（${source}；意图 ${str(s.intent)}${Number.isFinite(score) ? ` ${score.toFixed(2)}` : ""}，点击插入）`;
    chips.appendChild(chip);
  });
}

export function initComposer() {
  const reply = box();
  reply.addEventListener("compositionstart", () => {
    composing = true;
  });
  reply.addEventListener("compositionend", () => {
    composing = false;
  });
  reply.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.shiftKey) return;
    if (event.isComposing || event.keyCode === 229 || composing) return; // IME choosing
    event.preventDefault();
    send();
  });
  reply.addEventListener("input", () => {
    if (state.openId !== null) drafts.set(String(state.openId), reply.value);
    updateCount();
  });
  byId("send").addEventListener("click", send);

  on("opened", ({ id }) => {
    reply.value = drafts.get(String(id)) || "";
    shownSuggestions = "";
    renderSuggestions(null);
    setEnabled(false, disabledHint(null));
  });
  on("detail", (detail) => {
    const e = detail.escalation;
    setEnabled(isMine(e), disabledHint(e));
    renderSuggestions(detail);
  });
  on("closed", () => {
    shownSuggestions = "";
    renderSuggestions(null);
  });
  updateCount();
}
