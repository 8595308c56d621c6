// The console's shell: navigation, language switch, sign-in state and a tiny hash router.

import "./style.css";
import { api, ApiError, has, loadRoutes, setUnauthorizedHandler } from "./api";
import { connectEvents, disconnectEvents, session } from "./app";
import { clear, h } from "./dom";
import { lang, setLang, t } from "./i18n";
import { cameraEditPage, camerasPage } from "./pages/cameras";
import { dashboardPage } from "./pages/dashboard";
import { eventPage } from "./pages/event";
import { eventsPage } from "./pages/events";
import { livePage } from "./pages/live";
import { recordingsPage } from "./pages/recordings";
import { loginPage, passwordPage } from "./pages/login";
import { systemPage } from "./pages/system";

export type Cleanup = (() => void) | void;
export type Page = (root: HTMLElement, params: string[]) => Cleanup | Promise<Cleanup>;

const ROUTES: [RegExp, Page][] = [
  [/^\/?$/, livePage],
  [/^\/live$/, livePage],
  [/^\/events$/, eventsPage],
  [/^\/events\/([^/]+)$/, eventPage],
  [/^\/cameras$/, camerasPage],
  [/^\/cameras\/new$/, (root) => cameraEditPage(root, [])],
  [/^\/cameras\/([^/]+)$/, cameraEditPage],
  [/^\/recordings$/, recordingsPage],
  [/^\/recordings\/([^/]+)$/, recordingsPage],
  [/^\/dashboard$/, dashboardPage],
  [/^\/system$/, systemPage],
  [/^\/login$/, loginPage],
  [/^\/password$/, (root) => passwordPage(root, [], "", session.user ?? "")],
];

const NAV: [string, string][] = [
  ["#/live", "live"],
  ["#/events", "events"],
  ["#/cameras", "cameras"],
  ["#/recordings", "recordings"],
  ["#/dashboard", "dashboard"],
  ["#/system", "system"],
];

const app = document.getElementById("app")!;
let cleanup: Cleanup;
let wanted = "#/live";

function shell(): HTMLElement {
  const path = location.hash.replace(/^#/, "") || "/live";
  const user = session.user
    ? h(
        "span",
        { class: "user" },
        h("span", { class: "user-name" }, session.user),
        h("button", { class: "link", id: "logout", onclick: logout }, t("logout")),
      )
    : null;
  const main = h("main", { id: "page" });
  const header = h(
    "header",
    null,
    h("a", { class: "brand", href: "#/live" }, "anfang ", h("b", null, "安防")),
    h(
      "nav",
      null,
      NAV.map(([href, key]) =>
        h("a", { href, class: path.startsWith(href.slice(1)) ? "active" : "", "data-nav": key }, t(key)),
      ),
    ),
    h("span", { class: "spacer" }),
    user,
    h(
      "button",
      {
        class: "link",
        id: "lang",
        onclick: () => {
          setLang(lang === "zh" ? "en" : "zh");
          void route();
        },
      },
      t("language"),
    ),
  );
  clear(app);
  if (path !== "/login" && path !== "/password") app.append(header);
  app.append(main);
  return main;
}

async function route(): Promise<void> {
  if (typeof cleanup === "function") cleanup();
  cleanup = undefined;
  const path = location.hash.replace(/^#/, "") || "/live";
  for (const [re, page] of ROUTES) {
    const m = re.exec(path);
    if (!m) continue;
    const root = shell();
    try {
      cleanup = await page(root, m.slice(1).map(decodeURIComponent));
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401)) {
        root.append(h("p", { class: "error" }, String((err as Error).message ?? err)));
      }
    }
    return;
  }
  location.hash = "#/live";
}

function showLogin(): void {
  if (location.hash !== "#/login") wanted = location.hash || "#/live";
  session.user = null;
  disconnectEvents();
  location.hash = "#/login";
}

/** After signing in: back to where the user was going. */
export function loggedIn(user: string): void {
  session.user = user;
  connectEvents();
  location.hash = wanted === "#/login" ? "#/live" : wanted;
}

async function logout(): Promise<void> {
  try {
    await api("/api/auth/logout", { method: "POST" });
  } finally {
    showLogin();
  }
}

async function start(): Promise<void> {
  setLang(lang);
  setUnauthorizedHandler(showLogin);
  await loadRoutes();
  session.authEnabled = has("/api/auth/login");
  window.addEventListener("hashchange", () => void route());
  if (session.authEnabled) {
    try {
      const me = await api<{ username?: string; name?: string; must_change_password?: boolean }>("/api/auth/me");
      session.user = me.username ?? me.name ?? "user";
      if (me.must_change_password) {
        location.hash = "#/password";
        await route();
        return;
      }
    } catch {
      if (location.hash !== "#/login") showLogin();
      await route();
      return;
    }
  }
  connectEvents();
  if (location.hash === "#/login") location.hash = "#/live";
  await route();
}

void start();
