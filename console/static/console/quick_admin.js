// The owner's page for the shop's quick replies (/console/quick-replies): list, add,
// edit, delete through /console/api/owner/quick-replies. Agents use the same replies in
// the console's side panel (quick.js).

import { api, routes } from "./api.js";
import { button, byId, charCount, clear, el, isObject, str } from "./dom.js";
import { showError, showInfo } from "./notify.js";
import { renderNav } from "./staff_nav.js";

const PATH = "/owner/quick-replies";
let editingId = null;

function item(reply) {
  const li = el("li", "quick-item");
  li.dataset.id = str(reply.id);
  li.appendChild(el("span", "quick-title", reply.title));
  li.appendChild(el("span", "admin-text", reply.text));
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
    await call(() => api.del(`${PATH}/${encodeURIComponent(reply.id)}`), "已删除快捷回复");
  });
  bar.appendChild(remove);
  li.appendChild(bar);
  return li;
}

async function load() {
  const list = byId("admin-list");
  try {
    const data = await api.get(PATH);
    const replies = Array.isArray(data) ? data.filter(isObject) : [];
    clear(list);
    if (!replies.length) list.appendChild(el("li", "muted", "还没有快捷回复，在下方新增。"));
    replies.forEach((reply) => list.appendChild(item(reply)));
  } catch (error) {
    if (error.status === 401) location.replace("/console/");
    else showError(error.status === 403 ? "只有店长可以管理快捷回复" : error);
  }
}

function startEdit(reply) {
  editingId = reply.id;
  byId("admin-form-title").textContent = `编辑：${str(reply.title)}`;
  byId("admin-title").value = str(reply.title);
  byId("admin-text").value = str(reply.text);
  byId("admin-cancel").hidden = false;
  byId("admin-title").focus();
}

function resetForm() {
  editingId = null;
  byId("admin-form-title").textContent = "新增快捷回复";
  byId("admin-title").value = "";
  byId("admin-text").value = "";
  byId("admin-cancel").hidden = true;
}

async function call(request, done) {
  try {
    await request();
    showInfo(done);
    await load();
    return true;
  } catch (error) {
    if (error.status === 401) location.replace("/console/");
    else showError(error);
    return false;
  }
}

async function save(event) {
  event.preventDefault();
  const title = byId("admin-title").value.trim();
  const text = byId("admin-text").value.trim();
  if (!title || !text) {
    showError("请填写快捷回复的标题和内容");
    return;
  }
  if (charCount(title) > 50 || charCount(text) > 1000) {
    showError("标题最多 50 字，内容最多 1000 字");
    return;
  }
  const editing = editingId;
  const ok = await call(
    () =>
      editing === null
        ? api.post(PATH, { title, text })
        : api.put(`${PATH}/${encodeURIComponent(editing)}`, { title, text }),
    editing === null ? "已新增快捷回复" : "已保存快捷回复",
  );
  if (ok) resetForm();
}

async function boot() {
  byId("admin-form").addEventListener("submit", save);
  byId("admin-cancel").addEventListener("click", resetForm);
  try {
    const user = await api.get(routes.me, { quiet401: true });
    byId("me").textContent = `${str(user.display_name || user.username)}（${str(user.username)}）`;
    renderNav(byId("staff-nav"), user, "quick-replies");
  } catch (_) {
    location.replace("/console/");
    return;
  }
  await load();
}

boot();
