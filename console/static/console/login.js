// Login and logout, and which of the two views (login form, console) is shown.

import { api, ApiError, errorText, routes } from "./api.js";
import { byId } from "./dom.js";
import { showError } from "./notify.js";

export function showLogin(message = "") {
  byId("console-view").hidden = true;
  byId("login-view").hidden = false;
  byId("login-error").textContent = message;
  byId("login-submit").disabled = false;
  byId("login-password").value = "";
  const name = byId("login-username");
  (name.value ? byId("login-password") : name).focus();
  document.title = "登录 · 客服工作台";
}

export function showConsole(user) {
  byId("login-view").hidden = true;
  byId("console-view").hidden = false;
  const roles = Array.isArray(user.roles) ? user.roles : [];
  const me = byId("me");
  me.textContent = `${user.display_name || user.username}（${user.username}）`;
  me.title = roles.length ? `角色：${roles.join("、")}` : "";
  document.title = "客服工作台 · 步云鞋业";
}

// onLoggedIn(user) runs after a successful login.
export function initLogin(onLoggedIn, onLoggedOut) {
  byId("login-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const username = byId("login-username").value.trim();
    const password = byId("login-password").value;
    const error = byId("login-error");
    if (!username || !password) {
      error.textContent = "请输入用户名和密码";
      return;
    }
    byId("login-submit").disabled = true;
    error.textContent = "";
    try {
      const user = await api.post(routes.login, { username, password }, { quiet401: true });
      byId("login-password").value = "";
      onLoggedIn(user);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) error.textContent = "用户名或密码错误";
      else if (err instanceof ApiError && err.status === 429) {
        error.textContent = "登录尝试太频繁，请稍后再试";
      } else error.textContent = errorText(err);
      byId("login-password").value = "";
      byId("login-password").focus();
    } finally {
      byId("login-submit").disabled = false;
    }
  });

  byId("logout").addEventListener("click", async () => {
    try {
      await api.post(routes.logout, undefined, { quiet401: true });
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 401) {
        showError(err);
        return;
      }
    }
    onLoggedOut();
  });
}
