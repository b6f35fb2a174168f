// The agent console's entry point: login state, then the queue, the open
// conversation, the reply box and the side panel (see docs/agent-console.md).

import { api, ApiError, errorText, onUnauthorized, routes } from "./api.js";
import { initChatActions } from "./chat_actions.js";
import { initComposer } from "./composer.js";
import { closeConversation, openConversation } from "./conversation.js";
import { initLogin, showConsole, showLogin } from "./login.js";
import { initPhotoDialog } from "./messages.js";
import { clearNotices } from "./notify.js";
import { initSidePanel, resetSidePanel } from "./quick.js";
import { startQueue, stopQueue } from "./queue.js";
import { homeOf, mayUse, renderNav } from "./staff_nav.js";
import { state } from "./state.js";

function start(user) {
  if (!mayUse(user, "agent")) {
    // A trainer or owner logged in here: their own page, not an agent console they may not use.
    const home = homeOf(user);
    if (home) location.replace(home);
    else showLogin("这个账号没有可用的页面，请联系店长分配角色");
    return;
  }
  state.me = user;
  clearNotices();
  showConsole(user);
  renderNav(document.getElementById("staff-nav"), user, "agent");
  startQueue({
    open: (id) => openConversation(id),
    claimed: (id) => openConversation(id),
    // The server assigned a conversation: open it when the agent has none open.
    assigned: (entries) => {
      if (state.openId === null && entries.length) openConversation(entries[0].id);
    },
  });
}

function stop(message) {
  stopQueue();
  closeConversation();
  resetSidePanel();
  state.me = null;
  showLogin(message);
}

async function boot() {
  initPhotoDialog();
  initComposer();
  initChatActions();
  initSidePanel();
  initLogin(start, () => stop(""));
  onUnauthorized(() => {
    if (state.me) stop("登录已过期，请重新登录");
  });
  try {
    start(await api.get(routes.me, { quiet401: true }));
  } catch (error) {
    const expired = error instanceof ApiError && error.status === 401;
    showLogin(expired ? "" : errorText(error));
  }
}

boot();
