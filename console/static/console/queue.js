// The queue: waiting / mine / others and the agents' status, polled every 2 s.
// The poll marks this console seen and lets the server assign work, to agents
// switched to 在线 only (presence.js). Buyers silent for a while are 已离开.

import { api, routes } from "./api.js";
import {
  button,
  byId,
  clear,
  el,
  formatDuration,
  poller,
  priorityLabel,
  reasonLabel,
  str,
} from "./dom.js";
import { PRESENCE } from "./labels.js";
import { connection, showError, showInfo } from "./notify.js";
import { hideLimit, initPresence, renderPresence, showLimit } from "./presence.js";

const POLL_MS = 2000;

let handlers = { open: () => {}, claimed: () => {}, updated: () => {} };
let selectedId = null;
let lastKey = "";
const knownMine = new Set();
const claimedHere = new Set(); // claimed from this page: no "assigned to you" notice
let firstPoll = true;
let leftMinutes = 15; // the server's buyer_left_minutes

// 已离开: the buyer said nothing for a while; not assigned automatically, not counted
// against anyone's limit; an agent may still take it and leave a message.
function leftBadge(item) {
  item.classList.add("buyer-left");
  const badge = el("span", "badge left-badge", "已离开");
  badge.title = `买家已超过 ${leftMinutes} 分钟没有发言：不自动分配，不计入接待上限；仍可接入并给买家留言`;
  return badge;
}

function buyerName(e) {
  return str(e.buyer_name) || (e.buyer_id ? `买家 ${str(e.buyer_id)}` : "访客");
}

function entry(e, section) {
  const item = el("li", `queue-item priority-${str(e.priority)}`);
  item.dataset.id = str(e.id);
  item.dataset.conversation = str(e.conversation_id);
  if (String(e.id) === String(selectedId)) item.classList.add("selected");
  item.tabIndex = 0;

  const top = el("div", "queue-top");
  top.appendChild(el("span", `badge priority-badge p${str(e.priority)}`, priorityLabel(e.priority)));
  top.appendChild(el("span", "queue-reason", reasonLabel(e)));
  top.appendChild(el("span", "queue-wait", formatDuration(e.waiting_seconds)));
  item.appendChild(top);

  const who = el("div", "queue-buyer");
  who.appendChild(el("span", "", buyerName(e)));
  if (e.order_id) who.appendChild(el("span", "queue-order", `订单 ${str(e.order_id)}`));
  if (Number(e.unread) > 0) who.appendChild(el("span", "badge unread", `${e.unread} 条未读`));
  if (e.buyer_left === true) who.appendChild(leftBadge(item));
  item.appendChild(who);

  if (e.summary) {
    const summary = el("div", "queue-summary", e.summary);
    summary.title = str(e.summary);
    item.appendChild(summary);
  }
  if (section === "others" && e.agent) {
    item.appendChild(el("div", "queue-agent", `接待客服：${str(e.agent.display_name)}`));
  }
  if (section === "waiting") {
    const claimButton = button("接入", "primary small claim", (event) => {
      event.stopPropagation();
      claim(e.id);
    });
    item.appendChild(claimButton);
  }
  const open = () => handlers.open(e.id);
  item.addEventListener("click", open);
  item.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.target === item) open();
  });
  return item;
}

// Reuses each entry's node while it is unchanged (only the waiting time moves), so
// that a click in progress is not lost to a re-render.
const nodes = new Map();

function fill(listId, countId, entries, section) {
  const list = byId(listId);
  byId(countId).textContent = String(entries.length);
  if (!entries.length) {
    list.replaceChildren(el("li", "queue-empty", list.dataset.empty));
    return;
  }
  const children = entries.map((e) => {
    const id = `${section}:${str(e.id)}`;
    const key = JSON.stringify({ ...e, waiting_seconds: 0 });
    const known = nodes.get(id);
    if (known && known.key === key) {
      known.node.querySelector(".queue-wait").textContent = formatDuration(e.waiting_seconds);
      return known.node;
    }
    const node = entry(e, section);
    nodes.set(id, { key, node });
    return node;
  });
  children.forEach((c) => c.classList.toggle("selected", c.dataset.id === String(selectedId)));
  const same =
    children.length === list.children.length && children.every((c, i) => list.children[i] === c);
  if (!same) list.replaceChildren(...children);
}

// Every agent with their status: 在线 (switched on, console open), 离开, 离线.
function agents(list) {
  const box = clear(byId("agents"));
  const status = (a) => (a.online ? "online" : a.status === "away" ? "away" : "offline");
  const order = { online: 0, away: 1, offline: 2 };
  const sorted = [...list].sort((a, b) => order[status(a)] - order[status(b)]);
  if (!list.some((a) => a.online)) box.appendChild(el("li", "queue-empty", "暂无在线客服"));
  sorted.forEach((a) => {
    const now = status(a);
    const item = el("li", `agent agent-${now}`);
    item.appendChild(el("span", `dot ${now}`));
    item.appendChild(el("span", "agent-name", a.display_name || a.username));
    item.appendChild(el("span", "agent-status", PRESENCE[now]));
    item.appendChild(el("span", "agent-load", `${str(a.open)}/${str(a.max_open)}`));
    const left = Number(a.left) > 0 ? `，另有 ${str(a.left)} 个买家已离开` : "";
    item.title = `接待中 ${str(a.open)} 个，上限 ${str(a.max_open)} 个${left}`;
    box.appendChild(item);
  });
}

function render(queue) {
  const key = JSON.stringify([queue, selectedId]);
  if (key === lastKey) return;
  lastKey = key;
  const live = new Set(
    ["waiting", "mine", "others"].flatMap((name) =>
      (Array.isArray(queue[name]) ? queue[name] : []).map((e) => `${name}:${str(e.id)}`),
    ),
  );
  [...nodes.keys()].filter((id) => !live.has(id)).forEach((id) => nodes.delete(id));
  const list = (name) => (Array.isArray(queue[name]) ? queue[name] : []);
  fill("queue-waiting", "count-waiting", list("waiting"), "waiting");
  fill("queue-mine", "count-mine", list("mine"), "mine");
  fill("queue-others", "count-others", list("others"), "others");
  agents(list("agents"));
}

// Conversations the server assigned to this agent since the last poll.
function noticeAssigned(mine) {
  const fresh = mine.filter((e) => !knownMine.has(String(e.id)) && !claimedHere.has(String(e.id)));
  knownMine.clear();
  mine.forEach((e) => knownMine.add(String(e.id)));
  if (firstPoll) return;
  fresh.forEach((e) => showInfo(`新会话已分配给您：${buyerName(e)}（${reasonLabel(e)}）`));
  if (fresh.length) handlers.assigned(fresh);
}

async function poll() {
  try {
    const queue = await api.get(routes.queue);
    connection("queue", true);
    if (queue && Number(queue.buyer_left_minutes) > 0) leftMinutes = Number(queue.buyer_left_minutes);
    renderPresence(queue);
    render(queue || {});
    noticeAssigned(Array.isArray(queue && queue.mine) ? queue.mine : []);
    firstPoll = false;
    handlers.updated(queue);
  } catch (error) {
    if (error.status === 0) connection("queue", false);
    else if (error.status === 403) {
      connection("queue", true);
      showError("您的账号没有客服权限（需要 agent 角色）");
      queuePoller.stop();
    } else if (error.status !== 401) showError(error);
  }
}

const queuePoller = poller(poll, POLL_MS);

export async function claim(id) {
  try {
    await api.post(routes.action(id, "claim"));
    claimedHere.add(String(id));
    hideLimit();
    showInfo("已接入会话");
    handlers.claimed(id);
  } catch (error) {
    // At the limit: a message above the queue, not a toast over it.
    if (error.status === 409 && error.code === "agent_full" && showLimit()) return;
    if (error.status !== 401) showError(error);
  } finally {
    queuePoller.now();
  }
}

export function setSelected(id) {
  selectedId = id;
  lastKey = "";
  document.querySelectorAll(".queue-item").forEach((item) => {
    item.classList.toggle("selected", item.dataset.id === String(id));
  });
}

export function startQueue(callbacks) {
  handlers = { assigned: () => {}, ...handlers, ...callbacks };
  firstPoll = true;
  lastKey = "";
  initPresence(() => queuePoller.now());
  queuePoller.start();
}

export function stopQueue() {
  queuePoller.stop();
}

export function refreshQueue() {
  queuePoller.now();
}
