// Search (人员/车辆检索): records by attributes, by an uploaded picture, and by plate number.

import { api, ApiError, type Camera } from "../api";
import { h } from "../dom";
import { t } from "../i18n";
import { PALETTE, RECORD_TYPES, recordCard, toEpoch, type RecordItem } from "../records";

const TABS = ["attributes", "photo", "plate"] as const;
type Tab = (typeof TABS)[number];

/** A record whose crop the photo tab should search with (set by the record page's "find similar"). */
let pendingSimilar: string | null = null;
export function findSimilar(recordId: string): void {
  pendingSimilar = recordId;
  location.hash = "#/search/photo";
}

/** Colour picker: a row of swatches (radio buttons) plus "any"; the value is a palette name or "". */
function colourPicker(name: string): { el: HTMLElement; value: () => string } {
  const group = `${name}-${Math.random().toString(36).slice(2, 7)}`;
  const any = h("input", { type: "radio", name: group, value: "", checked: true });
  const el = h(
    "fieldset",
    { class: "swatches", "data-picker": name },
    h("legend", null, t(name)),
    h("label", { class: "sw any", title: t("any") }, any, h("span", null, t("any"))),
    PALETTE.map(([n, css]) =>
      h(
        "label",
        { class: "sw", title: n, "data-colour": n },
        h("input", { type: "radio", name: group, value: n }),
        h("i", { style: { background: css } }),
      ),
    ),
  );
  return { el, value: () => (el.querySelector("input:checked") as HTMLInputElement | null)?.value ?? "" };
}

function cameraSelect(cams: Camera[]): HTMLSelectElement {
  return h("select", { name: "camera_id" }, h("option", { value: "" }, t("all")), cams.map((c) => h("option", { value: c.id }, c.name || c.id)));
}

export async function searchPage(root: HTMLElement, [tabParam]: string[]): Promise<void> {
  const tab: Tab = (TABS as readonly string[]).includes(tabParam) ? (tabParam as Tab) : "attributes";
  const cams = await api<Camera[]>("/api/cameras").catch(() => [] as Camera[]);
  const camName = (id: string) => cams.find((c) => c.id === id)?.name || id;
  const results = h("div", { class: "record-grid", id: "results" });
  const status = h("p", { class: "muted", id: "search-status" });

  // Only the latest search may fill the grid (an earlier, slower answer must not overwrite a newer one).
  let latest = 0;
  const begin = () => ++latest;
  function show(items: RecordItem[], note = "", ticket = latest): void {
    if (ticket !== latest) return;
    status.textContent = `${items.length} ${t("results")}${note}`;
    status.className = "muted";
    results.replaceChildren(...items.map((r) => recordCard(r, camName)));
    if (!items.length) results.append(h("p", { class: "muted empty" }, t("no_results")));
  }
  function fail(err: unknown, ticket = latest): void {
    if (ticket !== latest) return;
    status.textContent = err instanceof ApiError ? err.message : String(err);
    status.className = "error";
    results.replaceChildren();
  }

  const tabs = h(
    "div",
    { class: "tabs" },
    TABS.map((k) => h("a", { href: `#/search/${k}`, class: k === tab ? "active" : "", "data-tab": k }, t(`search_${k}`))),
  );
  root.append(h("div", { class: "toolbar" }, h("h2", null, t("search")), tabs));

  if (tab === "attributes") {
    const type = h("select", { name: "type" }, RECORD_TYPES.map((v) => h("option", { value: v }, t(v))));
    const coat = colourPicker("coat_color");
    const trousers = colourPicker("trousers_color");
    const vehicle = colourPicker("vehicle_color");
    const camera = cameraSelect(cams);
    const since = h("input", { type: "datetime-local", name: "since" });
    const until = h("input", { type: "datetime-local", name: "until" });
    const syncType = () => {
      const person = type.value === "person";
      coat.el.hidden = trousers.el.hidden = !person;
      vehicle.el.hidden = type.value !== "motor_vehicle" && type.value !== "non_motor_vehicle";
    };
    type.onchange = syncType;
    syncType();
    const run = async () => {
      const q = new URLSearchParams({ type: type.value, limit: "60" });
      const person = type.value === "person";
      if (person && coat.value()) q.set("coat_color", coat.value());
      if (person && trousers.value()) q.set("trousers_color", trousers.value());
      if (!vehicle.el.hidden && vehicle.value()) q.set("vehicle_color", vehicle.value());
      if (camera.value) q.append("camera_id", camera.value);
      const s = toEpoch(since.value);
      const u = toEpoch(until.value);
      if (s !== null) q.set("since", String(s));
      if (u !== null) q.set("until", String(u));
      const ticket = begin();
      try {
        show((await api<{ items: RecordItem[] }>(`/api/search/records?${q}`)).items, "", ticket);
      } catch (err) {
        fail(err, ticket);
      }
    };
    root.append(
      h(
        "form",
        { class: "card search-form", id: "attr-form", onsubmit: (e: Event) => (e.preventDefault(), void run()) },
        h("div", { class: "filters" }, h("label", null, t("type"), type), h("label", null, t("camera"), camera), h("label", null, t("since"), since), h("label", null, t("until"), until)),
        h("div", { class: "pickers" }, coat.el, trousers.el, vehicle.el),
        h("div", { class: "row" }, h("button", { class: "primary", type: "submit", id: "search-go" }, t("search_go"))),
      ),
    );
    void run();
  } else if (tab === "photo") {
    const file = h("input", { type: "file", name: "image", accept: "image/jpeg,image/png", id: "photo-file" });
    const preview = h("img", { class: "query-preview", id: "query-preview", hidden: true, alt: "" });
    const kind = h("select", { name: "kind" }, ["auto", "body", "face"].map((v) => h("option", { value: v }, t(`kind_${v}`))));
    const k = h("input", { type: "number", name: "k", value: "20", min: "1", max: "200", style: { width: "70px" } });
    const camera = cameraSelect(cams);
    let blob: Blob | null = null;
    const setBlob = (b: Blob | null) => {
      blob = b;
      if (preview.src.startsWith("blob:")) URL.revokeObjectURL(preview.src);
      preview.hidden = !b;
      if (b) preview.src = URL.createObjectURL(b);
    };
    file.onchange = () => setBlob(file.files?.[0] ?? null);
    const run = async () => {
      if (!blob) {
        fail(t("choose_image"));
        return;
      }
      const form = new FormData();
      form.append("image", blob, "query.jpg");
      const q = new URLSearchParams({ k: k.value || "20", kind: kind.value });
      if (camera.value) q.append("camera_id", camera.value);
      status.textContent = t("searching");
      status.className = "muted";
      const ticket = begin();
      try {
        const res = await api<{ kind: string | null; items: RecordItem[] }>(`/api/search/by-image?${q}`, { method: "POST", body: form });
        show(res.items, res.kind ? ` · ${t(`kind_${res.kind}`)}` : "", ticket);
      } catch (err) {
        fail(err, ticket);
      }
    };
    root.append(
      h(
        "form",
        { class: "card search-form photo-form", id: "photo-form", onsubmit: (e: Event) => (e.preventDefault(), void run()) },
        h("div", { class: "photo-query" }, preview, h("div", { class: "filters" }, h("label", null, t("photo"), file), h("label", null, t("kind"), kind), h("label", null, "k", k), h("label", null, t("camera"), camera))),
        h("p", { class: "muted" }, t("photo_help")),
        h("div", { class: "row" }, h("button", { class: "primary", type: "submit", id: "search-go" }, t("search_go"))),
      ),
    );
    if (pendingSimilar) {
      const id = pendingSimilar;
      pendingSimilar = null;
      const res = await fetch(`/api/records/${encodeURIComponent(id)}/crop.jpg`, { credentials: "same-origin" });
      if (res.ok) {
        setBlob(await res.blob());
        void run();
      }
    }
  } else {
    const q = h("input", { name: "q", placeholder: "皖A*E18", required: true, style: { width: "160px" } });
    const mode = h("select", { name: "mode" }, ["exact", "wildcard", "fuzzy"].map((v) => h("option", { value: v }, t(`mode_${v}`))));
    const dist = h("input", { type: "number", name: "max_distance", value: "1", min: "0", max: "2", step: "0.5", style: { width: "70px" } });
    const distLabel = h("label", { hidden: true }, t("max_distance"), dist);
    mode.onchange = () => (distLabel.hidden = mode.value !== "fuzzy");
    const run = async () => {
      const p = new URLSearchParams({ q: q.value.trim(), mode: mode.value });
      if (mode.value === "fuzzy") p.set("max_distance", dist.value || "1");
      const ticket = begin();
      try {
        show((await api<{ items: RecordItem[] }>(`/api/search/plates?${p}`)).items, "", ticket);
      } catch (err) {
        fail(err, ticket);
      }
    };
    root.append(
      h(
        "form",
        { class: "card search-form", id: "plate-form", onsubmit: (e: Event) => (e.preventDefault(), void run()) },
        h("div", { class: "filters" }, h("label", null, t("plate_no"), q), h("label", null, t("mode"), mode), distLabel, h("button", { class: "primary", type: "submit", id: "search-go" }, t("search_go"))),
        h("p", { class: "muted" }, t("plate_help")),
      ),
    );
  }
  root.append(status, results);
}
