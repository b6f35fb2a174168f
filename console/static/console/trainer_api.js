// The trainer page's calls (docs/trainer.md): same-origin cookie, X-Console on changes;
// a refusal's Chinese message comes back as the error's text.

export class TrainerError extends Error {
  constructor(status, code, message) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code || "";
  }
}

let onLoggedOut = () => {};
export function whenLoggedOut(handler) {
  onLoggedOut = handler;
}

export async function call(method, path, body) {
  const init = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
  if (method !== "GET") init.headers["X-Console"] = "1";
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch("/console/api" + path, init);
  } catch (err) {
    throw new TrainerError(0, "network", "无法连接服务器");
  }
  let data = null;
  try {
    data = await res.json();
  } catch (_) {
    data = null;
  }
  if (!res.ok) {
    const code = data && data.error;
    if (res.status === 401 && path !== "/login") onLoggedOut();
    const text =
      (data && data.message) ||
      { 401: "请先登录", 403: "没有训练师权限", 404: "找不到", 409: "已经有一个任务在运行" }[res.status];
    throw new TrainerError(res.status, code, text);
  }
  return data;
}

export const get = (path) => call("GET", path);
export const post = (path, body) => call("POST", path, body === undefined ? {} : body);

export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null && text !== "") node.textContent = String(text);
  return node;
}

export function btn(text, onClick, className) {
  const node = el("button", className, text);
  node.type = "button";
  node.addEventListener("click", onClick);
  return node;
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

export const $ = (id) => document.getElementById(id);

export function say(node, text, ok) {
  node.textContent = text || "";
  node.className = "msg " + (ok ? "ok" : "error");
}

// Chinese display names of intents (actions/lexicon.py, sent with the inbox and the
// candidates): shown beside the code, 要求人工（request_human）.
const intentLabels = {};
export function setIntentLabels(labels) {
  Object.assign(intentLabels, labels || {});
}
export function intentName(code) {
  const name = intentLabels[code];
  return name && name !== code ? `${name}（${code}）` : String(code || "");
}

export const pct = (x) => (x === undefined || x === null ? "–" : `${(x * 100).toFixed(1)}%`);
