// The console's JSON API (docs/console-api.md): same-origin cookie, and the CSRF
// header X-Console: 1 on every request that changes something.

const BASE = "/console/api";

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code || `HTTP ${status}`);
    this.status = status; // 0: the server could not be reached
    this.code = code || "";
  }
}

let unauthorizedHandler = () => {};

// Called with the error whenever the API answers 401 (except on the login itself).
export function onUnauthorized(handler) {
  unauthorizedHandler = handler;
}

// The one fetch wrapper of the staff pages (the trainer's page too, trainer_api.js).
export async function request(method, path, body, { raw = false, quiet401 = false } = {}) {
  const init = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
  if (method !== "GET") init.headers["X-Console"] = "1";
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(BASE + path, init);
  } catch (err) {
    throw new ApiError(0, "network", String(err && err.message));
  }
  if (!res.ok) {
    let code = "";
    let message = "";
    try {
      const data = await res.json();
      code = data && typeof data.error === "string" ? data.error : "";
      message = data && typeof data.message === "string" ? data.message : "";
    } catch (_) {
      // not JSON: the status alone tells
    }
    const error = new ApiError(res.status, code, message);
    if (res.status === 401 && !quiet401) unauthorizedHandler(error);
    throw error;
  }
  if (raw) return res;
  if (res.status === 204) return null;
  const text = await res.text();
  return text ? JSON.parse(text) : null;
}

export const api = {
  get: (path, options) => request("GET", path, undefined, options),
  post: (path, body, options) => request("POST", path, body === undefined ? {} : body, options),
  put: (path, body) => request("PUT", path, body),
  del: (path) => request("DELETE", path),
};

export const routes = {
  me: "/me",
  login: "/login",
  logout: "/logout",
  queue: "/queue",
  presence: "/presence",
  escalation: (id) => `/escalations/${encodeURIComponent(id)}`,
  action: (id, name) => `/escalations/${encodeURIComponent(id)}/${name}`,
  exportFile: (id, format) =>
    `/escalations/${encodeURIComponent(id)}/export?format=${encodeURIComponent(format)}`,
  photo: (id) => `${BASE}/photos/${encodeURIComponent(id)}`,
  quickReplies: "/quick-replies",
  quickReply: (id) => `/quick-replies/${encodeURIComponent(id)}`,
};

// Downloads an API file (export) through fetch, so that errors can be shown.
export async function download(path, filename) {
  const res = await request("GET", path, undefined, { raw: true });
  const blob = await res.blob();
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

const CONFLICTS = {
  already_claimed: "已被其他客服接入",
  agent_full: "您同时接待的会话已达上限，请先结束或交还一个会话",
  not_assigned: "该会话已不由您接待",
  not_yours: "该会话已不由您接待",
  resolved: "该会话已结束",
};

// A message an agent can act on, in Chinese.
export function errorText(error) {
  if (!(error instanceof ApiError)) return `页面出错：${String(error && error.message)}`;
  switch (error.status) {
    case 0:
      return "无法连接服务器，请检查网络后重试";
    case 400:
    case 422:
      return "提交的内容不符合要求，请检查后重试";
    case 401:
      return "登录已过期，请重新登录";
    case 403:
      return "没有权限执行此操作";
    case 404:
      return "找不到该会话或内容，可能已被删除";
    case 409:
      return CONFLICTS[error.code] || "操作冲突：会话状态已变化，请刷新后再试";
    case 413:
      return "内容太长";
    case 429:
      return "操作太频繁，请稍后再试";
    case 502:
      if (error.code === "rasa_unavailable") return "机器人服务暂时不可用，操作未完成，请稍后重试";
      break;
    case 503:
      if (error.code === "database_unavailable") return "数据库暂时不可用，请稍后重试";
      break;
    default:
      break;
  }
  return error.status >= 500
    ? `服务器出错（${error.status}），请稍后重试`
    : `请求失败（${error.status}）`;
}
