// The staff navigation bar and landing page, shared by the agent console and the
// trainer page (the owner page renders the same bar on the server). The server's
// /me and /login answers carry `home` and `pages` (console/auth.py PAGES): a user
// sees only the pages their roles may use, and lands on the first of them.

const PAGES = [
  { id: "agent", role: "agent", href: "/console/", label: "客服工作台" },
  { id: "trainer", role: "trainer", href: "/console/trainer", label: "训练师工作台" },
  { id: "owner", role: "owner", href: "/console/owner", label: "店铺数据" },
  { id: "quick-replies", role: "owner", href: "/console/quick-replies", label: "快捷回复" },
];

// The pages `user` may open, in landing order.
export function pagesOf(user) {
  if (Array.isArray(user && user.pages)) return user.pages;
  const roles = Array.isArray(user && user.roles) ? user.roles : [];
  return PAGES.filter((page) => roles.includes(page.role));
}

// Where `user` lands: their first page, or null when no page is theirs.
export function homeOf(user) {
  if (user && typeof user.home === "string" && user.home) return user.home;
  const first = pagesOf(user)[0];
  return first ? first.href : null;
}

// Whether `user` may use the page of `role`.
export function mayUse(user, role) {
  return pagesOf(user).some((page) => page.role === role);
}

// Fills the <nav> with a link per page of the user, the page whose id is `current` marked.
export function renderNav(nav, user, current) {
  if (!nav) return;
  nav.replaceChildren();
  for (const page of pagesOf(user)) {
    const link = document.createElement("a");
    link.href = page.href;
    link.textContent = page.label;
    if ((page.id || page.role) === current) link.setAttribute("aria-current", "page");
    nav.appendChild(link);
  }
  nav.hidden = false;
}
