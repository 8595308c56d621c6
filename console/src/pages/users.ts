// Users and API tokens (admin): create accounts with a role, camera grants and see_identities; change them
// in place, disable or delete; issue and revoke Bearer tokens for integrations (the token is shown once).

import { api, ApiError, has, type Camera } from "../api";
import { session } from "../app";
import { fill, fmtTime, h } from "../dom";
import { t } from "../i18n";

interface User {
  username: string;
  role: string;
  cameras: string[] | null;
  see_identities: boolean;
  must_change_password: boolean;
  disabled: boolean;
}
interface Token {
  id: string;
  username: string;
  name: string;
  created_at: number;
  expires_at: number | null;
  token?: string;
}

const ROLES = ["viewer", "operator", "admin", "auditor"];

function errText(err: unknown): string {
  return err instanceof ApiError ? err.message : String((err as Error)?.message ?? err);
}

/** Camera grants: "all cameras" or a checked subset. */
function grants(cams: Camera[], current: string[] | null, name: string): { el: HTMLElement; value: () => string[] | null } {
  const all = h("input", { type: "checkbox", name: `${name}-all`, checked: current === null });
  const boxes = cams.map((c) => h("input", { type: "checkbox", value: c.id, checked: current?.includes(c.id) ?? false, disabled: current === null }));
  all.onchange = () => boxes.forEach((b) => (b.disabled = all.checked));
  const el = h(
    "div",
    { class: "grants", "data-grants": name },
    h("label", { class: "check" }, all, t("all_cameras")),
    cams.map((c, i) => h("label", { class: "check" }, boxes[i], c.name || c.id)),
  );
  return { el, value: () => (all.checked ? null : boxes.filter((b) => b.checked).map((b) => b.value)) };
}

export async function usersPage(root: HTMLElement): Promise<void> {
  const cams = await api<Camera[]>("/api/cameras").catch(() => [] as Camera[]);
  const msg = h("p", { class: "message", id: "users-message" });
  const say = (text: string, ok = false) => {
    msg.textContent = text;
    msg.className = `message ${ok ? "ok" : "error"}`;
  };
  const usersBox = h("div", { class: "card", id: "users" });
  const tokensBox = h("div", { class: "card", id: "tokens" });

  async function patch(username: string, body: Record<string, unknown>): Promise<void> {
    try {
      await api(`/api/users/${encodeURIComponent(username)}`, { method: "PATCH", json: body });
      say(`${t("saved")} ${username}`, true);
    } catch (err) {
      say(errText(err));
    }
    await loadUsers();
  }

  async function loadUsers(): Promise<void> {
    const users = await api<User[]>("/api/users");
    fill(usersBox,
      h("h3", null, t("users")),
      h(
        "table",
        { class: "table", id: "users-table" },
        h("thead", null, h("tr", null, [t("username"), t("role"), t("cameras"), t("see_identities"), t("disabled"), ""].map((x) => h("th", null, x)))),
        h(
          "tbody",
          null,
          users.map((u) => {
            const me = u.username === session.user;
            const role = h("select", { name: "role", disabled: me }, ROLES.map((r) => h("option", { value: r, selected: r === u.role }, t(`role_${r}`))));
            role.onchange = () => void patch(u.username, { role: role.value });
            const see = h("input", { type: "checkbox", checked: u.see_identities, name: "see_identities" });
            see.onchange = () => void patch(u.username, { see_identities: see.checked });
            const dis = h("input", { type: "checkbox", checked: u.disabled, disabled: me, name: "disabled" });
            dis.onchange = () => void patch(u.username, { disabled: dis.checked });
            const camCell = h("td", null, u.cameras === null ? t("all_cameras") : u.cameras.join(", ") || "—");
            const editCams = h("button", {
              class: "small",
              onclick: () => {
                const g = grants(cams, u.cameras, `edit-${u.username}`);
                camCell.replaceChildren(
                  g.el,
                  h("button", { class: "small primary", onclick: () => void patch(u.username, g.value() === null ? { all_cameras: true } : { cameras: g.value() }) }, t("save")),
                );
              },
            }, t("edit"));
            return h(
              "tr",
              { "data-user": u.username, class: u.disabled ? "disabled" : "" },
              h("td", null, u.username, u.must_change_password ? h("span", { class: "badge", title: t("must_change_password") }, "⟳") : null),
              h("td", null, role),
              camCell,
              h("td", null, see),
              h("td", null, dis),
              h(
                "td",
                null,
                editCams,
                h("button", {
                  class: "small",
                  onclick: () => {
                    const pw = prompt(`${t("new_password")} — ${u.username}`);
                    if (pw) void patch(u.username, { password: pw, must_change_password: true });
                  },
                }, t("reset_password")),
                me
                  ? null
                  : h("button", {
                      class: "small warn",
                      onclick: async () => {
                        if (!confirm(`${t("confirm_delete_user")} ${u.username}`)) return;
                        await api(`/api/users/${encodeURIComponent(u.username)}`, { method: "DELETE" }).catch((err) => say(errText(err)));
                        await loadUsers();
                      },
                    }, t("delete")),
              ),
            );
          }),
        ),
      ),
      newUserForm(),
    );
  }

  function newUserForm(): HTMLElement {
    const name = h("input", { name: "new_username", required: true, autocomplete: "off" });
    const pw = h("input", { name: "new_user_password", type: "password", autocomplete: "new-password", placeholder: t("token_only") });
    const role = h("select", { name: "new_role" }, ROLES.map((r) => h("option", { value: r }, t(`role_${r}`))));
    const see = h("input", { type: "checkbox", name: "new_see_identities" });
    const must = h("input", { type: "checkbox", name: "new_must_change", checked: true });
    const g = grants(cams, null, "new");
    return h(
      "form",
      {
        class: "new-user",
        id: "new-user",
        onsubmit: async (e: Event) => {
          e.preventDefault();
          try {
            await api("/api/users", {
              method: "POST",
              json: { username: name.value.trim(), password: pw.value || null, role: role.value, cameras: g.value(), see_identities: see.checked, must_change_password: must.checked },
            });
            say(`${t("created")} ${name.value.trim()}`, true);
            await loadUsers();
          } catch (err) {
            say(errText(err));
          }
        },
      },
      h("h3", null, t("new_user")),
      h("div", { class: "filters" }, h("label", null, t("username"), name), h("label", null, t("password"), pw), h("label", null, t("role"), role)),
      h("div", { class: "row wrap" }, h("label", { class: "check" }, see, t("see_identities")), h("label", { class: "check" }, must, t("must_change_password"))),
      h("label", null, t("cameras"), g.el),
      h("div", { class: "row" }, h("button", { class: "primary", type: "submit", id: "create-user" }, t("create_user"))),
    );
  }

  async function loadTokens(fresh?: Token): Promise<void> {
    const tokens = await api<Token[]>("/api/tokens");
    const name = h("input", { name: "token_name", placeholder: t("name") });
    const ttl = h("input", { name: "ttl_days", type: "number", min: "1", placeholder: t("ttl_days"), style: { width: "110px" } });
    fill(tokensBox,
      h("h3", null, t("tokens")),
      fresh?.token ? h("div", { class: "new-token", id: "new-token" }, h("p", null, t("token_once")), h("code", { class: "mono" }, fresh.token)) : null,
      h(
        "table",
        { class: "table", id: "tokens-table" },
        h("thead", null, h("tr", null, [t("id"), t("username"), t("name"), t("created"), t("expires"), ""].map((x) => h("th", null, x)))),
        h(
          "tbody",
          null,
          tokens.map((tk) =>
            h(
              "tr",
              { "data-token": tk.id },
              h("td", { class: "mono" }, tk.id.slice(0, 12)),
              h("td", null, tk.username),
              h("td", null, tk.name || "—"),
              h("td", null, fmtTime(tk.created_at)),
              h("td", null, tk.expires_at ? fmtTime(tk.expires_at) : t("never")),
              h("td", null, h("button", {
                class: "small warn",
                onclick: async () => {
                  await api(`/api/tokens/${encodeURIComponent(tk.id)}`, { method: "DELETE" }).catch((err) => say(errText(err)));
                  await loadTokens();
                },
              }, t("revoke"))),
            ),
          ),
        ),
      ),
      h(
        "form",
        {
          class: "row",
          onsubmit: async (e: Event) => {
            e.preventDefault();
            try {
              const tk = await api<Token>("/api/tokens", { method: "POST", json: { name: name.value, ttl_days: ttl.value ? Number(ttl.value) : null } });
              await loadTokens(tk);
            } catch (err) {
              say(errText(err));
            }
          },
        },
        name,
        ttl,
        h("button", { class: "primary", type: "submit" }, t("create_token")),
      ),
    );
  }

  root.append(h("div", { class: "toolbar" }, h("h2", null, t("users")), msg), h("div", { class: "admin" }, usersBox, has("/api/tokens") ? tokensBox : null));
  await loadUsers();
  if (has("/api/tokens")) await loadTokens();
}
