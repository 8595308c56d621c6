// Sign-in: POST /api/auth/login sets the session cookie; every later call carries it.

import { api, ApiError } from "../api";
import { h } from "../dom";
import { t } from "../i18n";
import { loggedIn } from "../main";

export function loginPage(root: HTMLElement): void {
  const user = h("input", { name: "username", autocomplete: "username", required: true });
  const pass = h("input", { name: "password", type: "password", autocomplete: "current-password", required: true });
  const msg = h("p", { class: "error", role: "alert" });
  const form = h(
    "form",
    {
      class: "login card",
      onsubmit: async (e: Event) => {
        e.preventDefault();
        msg.textContent = "";
        try {
          const me = await api<{ username?: string; must_change_password?: boolean }>("/api/auth/login", {
            method: "POST",
            json: { username: user.value, password: pass.value },
          });
          if (me?.must_change_password) {
            root.replaceChildren();
            passwordPage(root, [], pass.value, me.username ?? user.value);
          } else loggedIn(me?.username ?? user.value);
        } catch (err) {
          msg.textContent = err instanceof ApiError && err.status < 500 ? t("login_failed") : String(err);
        }
      },
    },
    h("h1", null, "anfang ", h("b", null, "安防")),
    h("p", { class: "muted" }, t("title")),
    h("label", null, t("username"), user),
    h("label", null, t("password"), pass),
    msg,
    h("button", { type: "submit", class: "primary" }, t("login")),
  );
  root.classList.add("center");
  root.append(form);
  user.focus();
}

/** A one-time (first start) password must be replaced before anything else works. */
export function passwordPage(root: HTMLElement, _params: string[] = [], current = "", username = ""): void {
  const cur = h("input", { name: "current_password", type: "password", value: current, autocomplete: "current-password" });
  const next = h("input", { name: "new_password", type: "password", autocomplete: "new-password", required: true });
  const again = h("input", { name: "repeat_password", type: "password", autocomplete: "new-password", required: true });
  const msg = h("p", { class: "error", role: "alert" });
  const form = h(
    "form",
    {
      class: "login card",
      id: "password-form",
      onsubmit: async (e: Event) => {
        e.preventDefault();
        msg.textContent = "";
        if (next.value !== again.value) {
          msg.textContent = t("password_mismatch");
          return;
        }
        try {
          await api("/api/auth/password", { method: "POST", json: { current_password: cur.value, new_password: next.value } });
          loggedIn(username || "user");
        } catch (err) {
          msg.textContent = err instanceof ApiError ? err.message : String(err);
        }
      },
    },
    h("h1", null, "anfang ", h("b", null, "安防")),
    h("p", { class: "muted" }, t("change_password_help")),
    h("label", null, t("current_password"), cur),
    h("label", null, t("new_password"), next),
    h("label", null, t("repeat_password"), again),
    msg,
    h("button", { type: "submit", class: "primary" }, t("change_password")),
  );
  root.classList.add("center");
  root.append(form);
  (current ? next : cur).focus();
}
