// The side panel: its two tabs (买家资料 / 快捷回复), its drawer on narrow screens,
// and the quick replies: click one to insert it at the cursor; add, edit, delete.

import { api, routes } from "./api.js";
import { button, byId, charCount, clear, el, insertAtCursor, isObject, str } from "./dom.js";
import { showError, showInfo } from "./notify.js";

let replies = [];
let editingId = null;

function selectTab(name) {
  const quick = name === "quick";
  byId("tab-buyer").classList.toggle("active", !quick);
  byId("tab-quick").classList.toggle("active", quick);
  byId("tab-buyer").setAttribute("aria-selected", String(!quick));
  byId("tab-quick").setAttribute("aria-selected", String(quick));
  byId("panel-buyer").hidden = quick;
  byId("panel-quick").hidden = !quick;
  if (quick) loadQuickReplies();
}

// On narrow screens the side panel is a drawer over the chat.
function openSide(tab) {
  selectTab(tab);
  byId("side").classList.add("open");
}

function closeSide() {
  byId("side").classList.remove("open");
}

function insert(text) {
  const reply = byId("reply");
  if (reply.disabled) {
    showError("接入会话后才能插入快捷回复");
    return;
  }
  insertAtCursor(reply, text);
  if (window.matchMedia("(max-width: 1100px)").matches) closeSide();
}

function item(reply) {
  const li = el("li", "quick-item");
  const use = button("", "quick-use", () => insert(str(reply.text)));
  use.title = "点击插入到回复框";
  use.appendChild(el("span", "quick-title", reply.title));
  use.appendChild(el("span", "quick-text", reply.text));
  li.appendChild(use);
  const bar = el("div", "quick-bar");
  bar.appendChild(button("编辑", "ghost small", () => startEdit(reply)));
  const remove = button("删除", "ghost small danger-text", async () => {
    if (remove.dataset.confirm !== "1") {
      remove.dataset.confirm = "1";
      remove.textContent = "确认删除";
      setTimeout(() => {
        remove.dataset.confirm = "";
        remove.textContent = "删除";
      }, 4000);
      return;
    }
    await removeReply(reply.id);
  });
  bar.appendChild(remove);
  li.appendChild(bar);
  return li;
}

function renderList() {
  const list = clear(byId("quick-list"));
  if (!replies.length) list.appendChild(el("li", "muted", "还没有快捷回复，在下方新增。"));
  replies.forEach((reply) => list.appendChild(item(reply)));
}

export async function loadQuickReplies() {
  try {
    const data = await api.get(routes.quickReplies);
    replies = Array.isArray(data) ? data.filter(isObject) : [];
    renderList();
  } catch (error) {
    if (error.status !== 401) showError(error);
  }
}

function startEdit(reply) {
  editingId = reply.id;
  byId("quick-form-title").textContent = "编辑快捷回复";
  byId("quick-title").value = str(reply.title);
  byId("quick-text").value = str(reply.text);
  byId("quick-cancel").hidden = false;
  byId("quick-title").focus();
}

function resetForm() {
  editingId = null;
  byId("quick-form-title").textContent = "新增快捷回复";
  byId("quick-title").value = "";
  byId("quick-text").value = "";
  byId("quick-cancel").hidden = true;
}

async function save(event) {
  event.preventDefault();
  const title = byId("quick-title").value.trim();
  const text = byId("quick-text").value.trim();
  if (!title || !text) {
    showError("请填写快捷回复的标题和内容");
    return;
  }
  if (charCount(title) > 50 || charCount(text) > 1000) {
    showError("标题最多 50 字，内容最多 1000 字");
    return;
  }
  try {
    if (editingId === null) await api.post(routes.quickReplies, { title, text });
    else await api.put(routes.quickReply(editingId), { title, text });
    showInfo(editingId === null ? "已新增快捷回复" : "已保存快捷回复");
    resetForm();
    await loadQuickReplies();
  } catch (error) {
    if (error.status !== 401) showError(error);
  }
}

async function removeReply(id) {
  try {
    await api.del(routes.quickReply(id));
    showInfo("已删除快捷回复");
    if (editingId === id) resetForm();
    await loadQuickReplies();
  } catch (error) {
    if (error.status !== 401) showError(error);
  }
}

export function initSidePanel() {
  byId("tab-buyer").addEventListener("click", () => selectTab("buyer"));
  byId("tab-quick").addEventListener("click", () => selectTab("quick"));
  byId("toggle-quick").addEventListener("click", () => openSide("quick"));
  byId("act-side").addEventListener("click", () => openSide("buyer"));
  byId("side-close").addEventListener("click", closeSide);
  byId("quick-form").addEventListener("submit", save);
  byId("quick-cancel").addEventListener("click", resetForm);
}

export function resetSidePanel() {
  resetForm();
  replies = [];
  renderList();
  selectTab("buyer");
  closeSide();
}
