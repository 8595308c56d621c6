// The console's shell: navigation, language switch, sign-in state and a tiny hash router.

import "./style.css";
import { api, ApiError, has, loadRoutes, setUnauthorizedHandler } from "./api";
import { loadPlugins } from "./plugins";
import { connectEvents, disconnectEvents, loadMe, session } from "./app";
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
import { auditPage } from "./pages/audit";
import { devicesPage } from "./pages/devices";
import { facesPage } from "./pages/faces";
import { recordPage } from "./pages/record";
import { searchPage } from "./pages/search";
import { usersPage } from "./pages/users";

export type Cleanup = (() => void) | void;
export type Page = (root: HTMLElement, params: string[]) => Cleanup | Promise<Cleanup>;

/** Which pages this server and this user's role can use: a page is shown only where its API answers. */
function allowed(feature: string): boolean {
  const role = session.authEnabled ? session.role : "admin";
  const operational = role !== "auditor"; // the auditor sees no cameras (separation of duties)
  switch (feature) {
    case "search":
      return operational && has("/api/search/records");
    case "faces":
      return operational && has("/api/watchlists");
    case "devices":
      return operational && has("/api/devices");
    case "users":
      return role === "admin" && has("/api/users");
    case "audit":
      return role === "auditor" && has("/api/audit");
    default:
      return operational;
  }
}

function guarded(feature: string, page: Page): Page {
  return (root, params) => {
    if (!allowed(feature)) {
      root.append(h("p", { class: "muted", id: "unavailable" }, t("unavailable")));
      return;
    }
    return page(root, params);
  };
}

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
  [/^\/search(?:\/(\w+))?$/, guarded("search", searchPage)],
  [/^\/records\/([^/]+)$/, guarded("search", recordPage)],
  [/^\/faces$/, guarded("faces", facesPage)],
  [/^\/faces\/(\d+)$/, guarded("faces", facesPage)],
  [/^\/devices$/, guarded("devices", devicesPage)],
  [/^\/users$/, guarded("users", usersPage)],
  [/^\/audit$/, guarded("audit", auditPage)],
  [/^\/login$/, loginPage],
  [/^\/password$/, (root) => passwordPage(root, [], "", session.user ?? "")],
];

const NAV: [string, string][] = [
  ["#/live", "live"],
  ["#/events", "events"],
  ["#/search", "search"],
  ["#/faces", "faces"],
  ["#/cameras", "cameras"],
  ["#/recordings", "recordings"],
  ["#/devices", "devices"],
  ["#/dashboard", "dashboard"],
  ["#/system", "system"],
  ["#/users", "users"],
  ["#/audit", "audit"],
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
      NAV.filter(([, key]) => allowed(key)).map(([href, key]) =>
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

/** The API's 403 for a session whose password must change first (anfang/api/deps.py). */
function passwordPending(err: unknown): boolean {
  return err instanceof ApiError && err.status === 403 && err.message.startsWith("password change required");
}

async function route(): Promise<void> {
  if (typeof cleanup === "function") cleanup();
  cleanup = undefined;
  const path = location.hash.replace(/^#/, "") || "/live";
  if ((path === "/live" || path === "/") && session.authEnabled && session.role === "auditor" && allowed("audit")) {
    location.hash = "#/audit"; // the auditor's only page
    return;
  }
  if (path !== "/login" && path !== "/password") await loadPlugins(); // menus and labels of plug-in types
  for (const [re, page] of ROUTES) {
    const m = re.exec(path);
    if (!m) continue;
    const root = shell();
    try {
      cleanup = await page(root, m.slice(1).map(decodeURIComponent));
    } catch (err) {
      if (passwordPending(err) && path !== "/password") {
        location.hash = "#/password"; // the API allows nothing else until the password is changed: show the form
        return;
      }
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
  const go = () => {
    location.hash = wanted === "#/login" ? "#/live" : wanted;
  };
  loadMe().then(go, go);
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
      const me = await loadMe();
      if (me?.must_change_password) {
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
