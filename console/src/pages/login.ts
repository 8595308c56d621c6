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
          const me = await api<{ username?: string }>("/api/auth/login", {
            method: "POST",
            json: { username: user.value, password: pass.value },
          });
          loggedIn(me?.username ?? user.value);
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
