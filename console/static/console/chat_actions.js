// The open conversation's buttons: 接入, 释放, 交还机器人, 结束会话 (with a required
// note), 导出 JSON / CSV. Each shows only when it applies.

import { api, download, routes } from "./api.js";
import { byId, charCount, str } from "./dom.js";
import { showError, showInfo } from "./notify.js";
import { claim, refreshQueue } from "./queue.js";
import { emit, isMine, on, openEscalation, state } from "./state.js";

const NOTE_MAX = 500;
let busy = false;

function show(id, visible) {
  byId(id).hidden = !visible;
}

function updateButtons(e) {
  const mine = isMine(e);
  show("act-claim", Boolean(e) && e.status === "waiting");
  show("act-release", mine);
  show("act-handback", mine);
  show("act-close", mine);
  show("act-export-json", Boolean(e));
  show("act-export-csv", Boolean(e));
  ["act-claim", "act-release", "act-handback", "act-close"].forEach((id) => {
    byId(id).disabled = busy;
  });
}

// Runs one state-changing call on the open escalation, then refreshes everything.
async function act(name, body, done) {
  const id = state.openId;
  if (id === null || busy) return false;
  busy = true;
  updateButtons(openEscalation());
  try {
    await api.post(routes.action(id, name), body);
    if (done) showInfo(done);
    return true;
  } catch (error) {
    if (error.status !== 401) showError(error);
    return false;
  } finally {
    busy = false;
    updateButtons(openEscalation());
    refreshQueue();
    emit("changed", { id });
  }
}

async function exportAs(format) {
  const e = openEscalation();
  if (!e) return;
  try {
    await download(routes.exportFile(e.id, format), `conversation-${str(e.id)}.${format}`);
  } catch (error) {
    if (error.status !== 401) showError(error);
  }
}

function openCloseDialog() {
  byId("close-note").value = "";
  byId("close-error").textContent = "";
  byId("close-dialog").showModal();
  byId("close-note").focus();
}

async function confirmClose(event) {
  event.preventDefault();
  const note = byId("close-note").value.trim();
  const n = charCount(note);
  if (n === 0) {
    byId("close-error").textContent = "请填写处理结果备注";
    return;
  }
  if (n > NOTE_MAX) {
    byId("close-error").textContent = `备注最多 ${NOTE_MAX} 字，当前 ${n} 字`;
    return;
  }
  byId("close-dialog").close();
  await act("close", { note }, "会话已结束");
}

export function initChatActions() {
  byId("act-claim").addEventListener("click", async () => {
    if (state.openId !== null) await claim(state.openId);
    emit("changed", { id: state.openId });
  });
  byId("act-release").addEventListener("click", () =>
    act("release", undefined, "已释放，会话回到等待队列"),
  );
  byId("act-handback").addEventListener("click", () =>
    act("handback", undefined, "已交还机器人，机器人继续接待"),
  );
  byId("act-close").addEventListener("click", openCloseDialog);
  byId("close-form").addEventListener("submit", confirmClose);
  byId("close-cancel").addEventListener("click", () => byId("close-dialog").close());
  byId("act-export-json").addEventListener("click", () => exportAs("json"));
  byId("act-export-csv").addEventListener("click", () => exportAs("csv"));
  on("opened", () => updateButtons(null));
  on("detail", (detail) => updateButtons(detail.escalation));
}
