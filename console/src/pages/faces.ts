// Face library (布控库): watchlists (blacklist/whitelist), the people on them with their enrolled photos, and a
// compare tool (two pictures → similarity and same/different at the server's threshold).

import { api, ApiError, has } from "../api";
import { canWrite } from "../app";
import { fill, fmtTime, h } from "../dom";
import { t } from "../i18n";
import { pct } from "../records";

interface Watchlist {
  id: number;
  name: string;
  kind: "blacklist" | "whitelist";
  created: number;
  people: number;
}
interface Person {
  id: number;
  watchlist_id: number;
  name: string;
  note: string;
  created: number;
  photos: { id: number; path: string; quality: number }[];
}
interface Compare {
  similarity: number;
  threshold: number;
  same: boolean;
}

function errText(err: unknown): string {
  return err instanceof ApiError ? err.message : String((err as Error)?.message ?? err);
}

function kindBadge(kind: string): HTMLElement {
  return h("span", { class: `badge kind-${kind}` }, t(kind));
}

function imagePick(name: string): { el: HTMLElement; input: HTMLInputElement } {
  const input = h("input", { type: "file", name, accept: "image/jpeg,image/png" });
  const img = h("img", { class: "query-preview", hidden: true, alt: "" });
  input.onchange = () => {
    const f = input.files?.[0];
    img.hidden = !f;
    if (f) img.src = URL.createObjectURL(f);
  };
  return { el: h("div", { class: "pick" }, img, input), input };
}

function compareTool(): HTMLElement {
  const a = imagePick("image1");
  const b = imagePick("image2");
  const out = h("div", { id: "compare-result", class: "compare-result" });
  const run = async () => {
    const fa = a.input.files?.[0];
    const fb = b.input.files?.[0];
    if (!fa || !fb) {
      out.replaceChildren(h("span", { class: "error" }, t("choose_two")));
      return;
    }
    const form = new FormData();
    form.append("image1", fa);
    form.append("image2", fb);
    out.replaceChildren(h("span", { class: "muted" }, t("searching")));
    try {
      const r = await api<Compare>("/api/faces/compare", { method: "POST", body: form });
      out.replaceChildren(
        h("div", { class: "big" }, pct(r.similarity)),
        h("span", { class: `badge ${r.same ? "same" : "different"}`, "data-same": String(r.same) }, r.same ? t("same_person") : t("different_person")),
        h("div", { class: "muted" }, `${t("threshold")} ${pct(r.threshold)}`),
      );
    } catch (err) {
      out.replaceChildren(h("span", { class: "error" }, errText(err)));
    }
  };
  return h(
    "div",
    { class: "card", id: "compare" },
    h("h3", null, t("compare")),
    h("div", { class: "compare" }, a.el, b.el, out),
    h("div", { class: "row" }, h("button", { class: "primary", id: "compare-go", onclick: () => void run() }, t("compare_go"))),
  );
}

export async function facesPage(root: HTMLElement, [selected]: string[]): Promise<void> {
  const writer = canWrite();
  const lists = h("div", { class: "card", id: "watchlists" });
  const people = h("div", { class: "card", id: "people" });
  const msg = h("p", { class: "message", id: "faces-message" });
  const say = (text: string, ok = false) => {
    msg.textContent = text;
    msg.className = `message ${ok ? "ok" : "error"}`;
  };
  const current = selected ? Number(selected) : null;

  async function loadLists(): Promise<void> {
    const all = await api<Watchlist[]>("/api/watchlists");
    const name = h("input", { name: "watchlist_name", placeholder: t("name"), required: true });
    const kind = h("select", { name: "watchlist_kind" }, ["blacklist", "whitelist"].map((k) => h("option", { value: k }, t(k))));
    fill(lists,
      h("h3", null, t("watchlists")),
      h(
        "table",
        { class: "table" },
        h("thead", null, h("tr", null, h("th", null, t("name")), h("th", null, t("kind")), h("th", { class: "num" }, t("people")), h("th", null, ""))),
        h(
          "tbody",
          null,
          all.map((w) =>
            h(
              "tr",
              { "data-watchlist": w.id, class: w.id === current ? "selected" : "" },
              h("td", null, h("a", { href: `#/faces/${w.id}` }, w.name)),
              h("td", null, kindBadge(w.kind)),
              h("td", { class: "num" }, String(w.people)),
              h(
                "td",
                null,
                writer
                  ? h("button", {
                      class: "small warn",
                      onclick: async () => {
                        if (!confirm(`${t("confirm_delete_watchlist")} ${w.name}`)) return;
                        try {
                          await api(`/api/watchlists/${w.id}`, { method: "DELETE" });
                          if (w.id === current) location.hash = "#/faces";
                          else await loadLists();
                        } catch (err) {
                          say(errText(err));
                        }
                      },
                    }, t("delete"))
                  : null,
              ),
            ),
          ),
        ),
      ),
      all.length ? null : h("p", { class: "muted" }, t("no_watchlists")),
      writer
        ? h(
            "form",
            {
              class: "row",
              id: "new-watchlist",
              onsubmit: async (e: Event) => {
                e.preventDefault();
                try {
                  const w = await api<Watchlist>("/api/watchlists", { method: "POST", json: { name: name.value.trim(), kind: kind.value } });
                  location.hash = `#/faces/${w.id}`;
                } catch (err) {
                  say(errText(err));
                }
              },
            },
            name,
            kind,
            h("button", { class: "primary", type: "submit" }, t("create_watchlist")),
          )
        : null,
    );
  }

  async function loadPeople(): Promise<void> {
    if (current === null) {
      people.replaceChildren(h("p", { class: "muted" }, t("pick_watchlist")));
      return;
    }
    const [w, list] = await Promise.all([api<Watchlist>(`/api/watchlists/${current}`), api<Person[]>(`/api/watchlists/${current}/people`)]);
    const pname = h("input", { name: "person_name", placeholder: t("name"), required: true });
    const note = h("input", { name: "person_note", placeholder: t("note") });
    const photos = h("input", { type: "file", name: "photos", accept: "image/jpeg,image/png", multiple: true, required: true });
    fill(people,
      h("h3", null, w.name, " ", kindBadge(w.kind)),
      h(
        "table",
        { class: "table", id: "people-table" },
        h("thead", null, h("tr", null, h("th", null, t("name")), h("th", null, t("note")), h("th", null, t("photos")), h("th", null, t("time")), h("th", null, ""))),
        h(
          "tbody",
          null,
          list.map((p) => {
            const add = h("input", { type: "file", accept: "image/jpeg,image/png", hidden: true });
            add.onchange = async () => {
              const f = add.files?.[0];
              if (!f) return;
              const form = new FormData();
              form.append("photo", f);
              try {
                await api(`/api/people/${p.id}/photos`, { method: "POST", body: form });
                say(t("saved_photo"), true);
                await loadPeople();
              } catch (err) {
                say(errText(err));
              }
            };
            return h(
              "tr",
              { "data-person": p.id },
              h("td", null, p.name),
              h("td", { class: "muted" }, p.note),
              h("td", null, p.photos.map((ph) => h("span", { class: "chip", title: ph.path }, `#${ph.id} ${t("quality")} ${pct(ph.quality)}`))),
              h("td", null, fmtTime(p.created)),
              h(
                "td",
                null,
                writer && has("/api/people/{person_id}/photos") ? [add, h("button", { class: "small", onclick: () => add.click() }, t("add_photo"))] : null,
                writer
                  ? h("button", {
                      class: "small warn",
                      onclick: async () => {
                        if (!confirm(`${t("confirm_delete_person")} ${p.name}`)) return;
                        await api(`/api/people/${p.id}`, { method: "DELETE" }).catch((err) => say(errText(err)));
                        await loadPeople();
                      },
                    }, t("delete"))
                  : null,
              ),
            );
          }),
        ),
      ),
      list.length ? null : h("p", { class: "muted" }, t("no_people")),
      writer
        ? h(
            "form",
            {
              class: "row wrap",
              id: "new-person",
              onsubmit: async (e: Event) => {
                e.preventDefault();
                const form = new FormData();
                form.append("name", pname.value.trim());
                form.append("note", note.value);
                for (const f of Array.from(photos.files ?? [])) form.append("photos", f);
                try {
                  await api(`/api/watchlists/${current}/people`, { method: "POST", body: form });
                  say(t("saved_person"), true);
                  await Promise.all([loadPeople(), loadLists()]);
                } catch (err) {
                  say(errText(err));
                }
              },
            },
            pname,
            note,
            h("label", null, t("photos"), photos),
            h("button", { class: "primary", type: "submit" }, t("add_person")),
          )
        : null,
    );
  }

  root.append(
    h("div", { class: "toolbar" }, h("h2", null, t("faces")), msg),
    h("div", { class: "faces" }, lists, people),
    has("/api/faces/compare") ? compareTool() : "",
  );
  await loadLists();
  await loadPeople().catch((err) => people.replaceChildren(h("p", { class: "error" }, errText(err))));
}
