// The trainer page: login, tabs, the inbox and the annotation panel.
// The check-and-ship tab and the change log are in trainer_ship.js.
import { $, btn, clear, el, get, intentName, post, say, setIntentLabels, whenLoggedOut } from "./trainer_api.js";
import { showShip, showLog } from "./trainer_ship.js";
import { homeOf, mayUse, renderNav } from "./staff_nav.js";
import { SPEAKERS } from "./labels.js";

const state = { groups: [], current: null, entities: [], intents: [], entityTypes: [], reasons: {} };
const reasonNames = (group) => group.reasons.map((r) => state.reasons[r] || r).join(" / ");

// Code-point offsets (what the server counts) of a UTF-16 index into text.
const cp = (text, index) => Array.from(text.slice(0, index)).length;
const chars = (text) => Array.from(text);

async function start() {
  whenLoggedOut(() => showLogin());
  try {
    const me = await get("/me");
    showMain(me);
  } catch (_) {
    showLogin();
  }
}

function showLogin() {
  $("main-view").hidden = true;
  $("login-view").hidden = false;
}

function showMain(me) {
  if (!mayUse(me, "trainer")) {
    // Not a trainer: their own page (agent console, owner page) instead, no error.
    const home = homeOf(me);
    if (home) {
      location.replace(home);
      return;
    }
  }
  $("login-view").hidden = true;
  $("main-view").hidden = false;
  $("me").textContent = me.display_name || me.username;
  if (!mayUse(me, "trainer")) {
    say($("inbox-count"), "这个账号没有可用的页面");
    return;
  }
  renderNav($("staff-nav"), me, "trainer");
  loadInbox();
}

$("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    const me = await post("/login", {
      username: $("login-username").value,
      password: $("login-password").value,
    });
    $("login-error").textContent = "";
    showMain(me);
  } catch (err) {
    $("login-error").textContent = err.status === 401 ? "用户名或密码不对" : err.message;
  }
});

$("logout").addEventListener("click", async () => {
  await post("/logout").catch(() => {});
  showLogin();
});

for (const tab of document.querySelectorAll("[data-tab]")) {
  tab.addEventListener("click", () => {
    for (const other of document.querySelectorAll("[data-tab]")) {
      other.setAttribute("aria-selected", String(other === tab));
      $(`panel-${other.dataset.tab}`).hidden = other !== tab;
    }
    if (tab.dataset.tab === "ship") showShip();
    if (tab.dataset.tab === "log") showLog();
    if (tab.dataset.tab === "inbox") loadInbox();
  });
}

async function loadInbox() {
  const all = $("inbox-all").checked ? "?all=1" : "";
  const data = await get(`/trainer/inbox${all}`);
  state.groups = data.groups;
  state.intents = data.intents;
  state.entityTypes = data.entities;
  state.reasons = data.reason_labels || {};
  setIntentLabels(data.intent_labels);
  $("inbox-count").textContent = `${data.total} 组`;
  const list = clear($("intent-list"));
  for (const name of data.intents) {
    const option = list.appendChild(el("option"));
    option.value = name;
    option.label = intentName(name);
  }
  const types = clear($("ann-entity-type"));
  for (const name of data.entities) types.appendChild(el("option", "", name)).value = name;
  const ul = clear($("inbox-list"));
  for (const group of data.groups) {
    const m = group.example;
    const item = btn("", () => openGroup(group, item));
    item.className = "inbox-item";
    item.appendChild(el("div", "", m.text));
    const meta = `×${group.count} · ${intentName(m.intent)} ${m.confidence.toFixed(2)} · ${reasonNames(group)}`;
    item.appendChild(el("div", "meta", meta));
    ul.appendChild(el("li")).appendChild(item);
  }
}
$("inbox-all").addEventListener("change", loadInbox);

function openGroup(group, item) {
  for (const b of document.querySelectorAll(".inbox-item")) b.classList.remove("selected");
  item.classList.add("selected");
  state.current = group;
  const m = group.example;
  state.entities = []; // what the assistant found is pre-marked; the trainer removes what is wrong
  for (const e of m.entities || []) {
    const ok = Number.isInteger(e.start) && Number.isInteger(e.end) && e.start < e.end;
    if (!ok || !state.entityTypes.includes(e.entity)) continue;
    if (state.entities.some((o) => e.start < o.end && e.end > o.start)) continue;
    state.entities.push({ start: e.start, end: e.end, entity: e.entity });
  }
  state.entities.sort((a, b) => a.start - b.start);
  $("annotate").hidden = false;
  $("ann-text").textContent = m.text;
  $("ann-meta").textContent =
    `预测: ${intentName(m.intent)} (${m.confidence.toFixed(2)}) · ${reasonNames(group)} · 出现 ${group.count} 次 · ${group.conversations.length} 个对话`;
  const alts = clear($("ann-alternatives"));
  for (const r of m.ranking.filter((r) => r.name !== "nlu_fallback")) {
    alts.appendChild(btn(`${intentName(r.name)} ${r.confidence.toFixed(2)}`, () => ($("ann-intent").value = r.name)));
  }
  $("ann-intent").value = m.intent === "nlu_fallback" ? "" : m.intent;
  const ctx = clear($("ann-context"));
  for (const turn of m.context) {
    const li = el("li", turn.self ? "self" : "");
    li.appendChild(el("span", "who", SPEAKERS[turn.who] || ""));
    li.appendChild(document.createTextNode(turn.text));
    ctx.appendChild(li);
  }
  say($("ann-msg"), "", true);
  renderEntities();
}

$("ann-mark").addEventListener("click", () => {
  const text = state.current && state.current.example.text;
  const sel = window.getSelection();
  const node = $("ann-text").firstChild;
  if (!text || !sel || sel.rangeCount === 0 || !node) return;
  const range = sel.getRangeAt(0);
  if (range.startContainer !== node || range.endContainer !== node || range.collapsed) {
    say($("ann-msg"), "请先在上面的句子里选中要标的文字");
    return;
  }
  let start = cp(text, range.startOffset);
  let end = cp(text, range.endOffset);
  const all = chars(text);
  while (start < end && /\s/.test(all[start])) start += 1;
  while (end > start && /\s/.test(all[end - 1])) end -= 1;
  if (state.entities.some((e) => start < e.end && end > e.start)) {
    say($("ann-msg"), "和已标的实体重叠了");
    return;
  }
  state.entities.push({ start, end, entity: $("ann-entity-type").value });
  state.entities.sort((a, b) => a.start - b.start);
  sel.removeAllRanges();
  renderEntities();
});

let renderSeq = 0; // only the newest segmentation answer is shown

async function renderEntities() {
  const seq = ++renderSeq;
  const text = state.current.example.text;
  const all = chars(text);
  const ul = clear($("ann-entities"));
  state.entities.forEach((e, i) => {
    const li = el("li", "", `${all.slice(e.start, e.end).join("")} → ${e.entity} `);
    li.appendChild(btn("删除", () => { state.entities.splice(i, 1); renderEntities(); }, "ghost"));
    ul.appendChild(li);
  });
  const seg = await post("/trainer/segment", { text, entities: state.entities });
  if (seq !== renderSeq) return;
  const tokens = clear($("ann-tokens"));
  for (const t of seg.tokens) {
    const inside = state.entities.some((e) => t.start < e.end && t.end > e.start);
    tokens.appendChild(el("span", inside ? "in-entity" : "", t.word));
  }
  const warn = clear($("ann-warnings"));
  for (const w of seg.warnings) {
    const word = all.slice(w.start, w.end).join("");
    const li = el("li", "", `${w.message} `);
    li.appendChild(btn(`把「${word}」加入词典`, () => addWord(word)));
    warn.appendChild(li);
  }
  if (seg.warnings.length) $("dict-word").value = all.slice(seg.warnings[0].start, seg.warnings[0].end).join("");
}

async function addWord(word) {
  try {
    await post("/trainer/dictionary", { word });
    say($("ann-msg"), `「${word}」已加入词典`, true);
    renderEntities();
  } catch (err) {
    say($("ann-msg"), err.message);
  }
}
$("dict-add").addEventListener("click", () => addWord($("dict-word").value.trim()));

$("ann-save").addEventListener("click", async () => {
  const m = state.current.example;
  const intent = $("ann-intent").value.trim();
  if (!state.intents.includes(intent)) {
    say($("ann-msg"), "请从列表里选一个意图");
    return;
  }
  try {
    const change = await post("/trainer/annotate", {
      text: m.text,
      intent,
      entities: state.entities,
      source: { conversation_id: m.conversation_id, message_id: m.message_id },
    });
    say($("ann-msg"), `已保存到 ${change.file}：${change.example}`, true);
    setTimeout(loadInbox, 800);
  } catch (err) {
    say($("ann-msg"), err.message);
  }
});

$("ann-discard").addEventListener("click", async () => {
  await post("/trainer/discard", { text: state.current.example.text });
  say($("ann-msg"), "已丢弃", true);
  $("annotate").hidden = true;
  loadInbox();
});

start();
