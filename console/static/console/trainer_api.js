// The trainer page's calls (docs/trainer.md) through the staff pages' one fetch wrapper
// (api.js); a refusal's Chinese message comes back as the error's text.

import { ApiError, onUnauthorized, request } from "./api.js";

export { ApiError as TrainerError };

// What a refusal without its own message means on the trainer's page.
const REFUSALS = { 401: "请先登录", 403: "没有训练师权限", 404: "找不到", 409: "已经有一个任务在运行" };

export function whenLoggedOut(handler) {
  onUnauthorized(() => handler());
}

export async function call(method, path, body) {
  try {
    return await request(method, path, body, { quiet401: path === "/login" });
  } catch (err) {
    if (err instanceof ApiError) {
      if (err.status === 0) err.message = "无法连接服务器";
      else if (err.message === err.code || err.message === `HTTP ${err.status}`)
        err.message = REFUSALS[err.status] || err.message;
    }
    throw err;
  }
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

// Chinese display names of intents (shop/lexicon.py, sent with the inbox and the
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
