// Event list: filters, a timeline of the listed events, thumbnails, acknowledgement, live pushes.

import { ackControls } from "../ack";
import { api, type Camera, type EventItem, type EventPage } from "../api";
import { onLiveEvent } from "../app";
import { fmtTime, h } from "../dom";
import { t } from "../i18n";
import { types } from "../plugins";

const CLASSES = ["person", "bicycle", "car", "motorcycle", "bus", "truck"];
const PAGE = 50;
// Event types: the server's rule types (in its menu order) plus the face watchlist's matches.
const eventTypes = (): string[] => [...types("rule"), "watchlist_match"];
const PALETTE = ["#ff5d5d", "#ffc400", "#b07cff", "#ff8a3d", "#3ea6ff", "#2ec27e", "#00c2d1", "#c9a26b", "#9aa0a6"];
function typeColour(type: string): string {
  if (type === "watchlist_match") return "#e0409b";
  const i = types("rule").indexOf(type);
  return i < 0 ? "#888" : PALETTE[i % PALETTE.length];
}

function toEpoch(v: string): number | null {
  return v ? new Date(v).getTime() / 1000 : null;
}

function select(name: string, values: string[], labels: (v: string) => string): HTMLSelectElement {
  return h("select", { name }, h("option", { value: "" }, t("all")), values.map((v) => h("option", { value: v }, labels(v))));
}

export async function eventsPage(root: HTMLElement): Promise<() => void> {
  const cams = await api<Camera[]>("/api/cameras").catch(() => [] as Camera[]);
  const q = new URLSearchParams(location.hash.split("?")[1] ?? "");
  const camera = select("camera_id", cams.map((c) => c.id), (v) => cams.find((c) => c.id === v)?.name || v);
  const type = select("type", eventTypes(), t);
  const cls = select("object_class", CLASSES, (v) => v);
  const since = h("input", { type: "datetime-local", name: "since" });
  const until = h("input", { type: "datetime-local", name: "until" });
  camera.value = q.get("camera_id") ?? "";
  type.value = q.get("type") ?? "";
  const list = h("div", { class: "event-list", id: "event-list" });
  const timeline = h("canvas", { class: "timeline", id: "timeline", width: 1200, height: 60 });
  const total = h("span", { class: "muted", id: "event-total" });
  const more = h("button", { class: "small", onclick: () => void load(true) }, t("more"));
  let items: EventItem[] = [];
  let offset = 0;

  const filters = () => ({
    camera_id: camera.value || null,
    type: type.value || null,
    object_class: cls.value || null,
    since: toEpoch(since.value),
    until: toEpoch(until.value),
  });

  function row(ev: EventItem, fresh = false): HTMLElement {
    const el = h(
      "a",
      { class: `event${fresh ? " fresh" : ""}`, href: `#/events/${encodeURIComponent(ev.id)}`, "data-event": ev.id, "data-type": ev.type },
      ev.has_snapshot
        ? h("img", { src: `/api/events/${encodeURIComponent(ev.id)}/snapshot.jpg`, loading: "lazy", alt: "" })
        : h("div", { class: "noimg" }),
      h(
        "div",
        { class: "ev-body" },
        h("div", { class: "ev-title" }, h("span", { class: "dot", style: { background: typeColour(ev.type) } }), t(ev.type), " · ", ev.rule),
        h("div", { class: "muted" }, `${cams.find((c) => c.id === ev.camera_id)?.name || ev.camera_id} · ${ev.object_class ?? ""}${ev.track_id !== null ? ` #${ev.track_id}` : ""}`),
        h("div", { class: "muted" }, fmtTime(ev.start_time)),
      ),
      ackControls(ev, (upd) => el.replaceWith(row({ ...ev, ...upd }))),
    );
    return el;
  }

  function drawTimeline(): void {
    const ctx = timeline.getContext("2d")!;
    const w = (timeline.width = Math.max(300, timeline.clientWidth || 1200));
    const hgt = timeline.height;
    ctx.clearRect(0, 0, w, hgt);
    const f = filters();
    const now = Date.now() / 1000;
    const t1 = f.until ?? now;
    const t0 = f.since ?? Math.min(t1 - 3600, ...items.map((e) => e.start_time));
    const span = Math.max(60, t1 - t0);
    ctx.fillStyle = "#263241";
    ctx.fillRect(0, hgt - 16, w, 1);
    ctx.fillStyle = "#8a96a3";
    ctx.font = "11px system-ui";
    ctx.fillText(fmtTime(t0), 2, hgt - 3);
    const end = fmtTime(t1);
    ctx.fillText(end, w - ctx.measureText(end).width - 2, hgt - 3);
    const lanes = [...new Set(items.map((e) => e.type))];
    for (const ev of items) {
      const x = ((ev.start_time - t0) / span) * w;
      const lane = lanes.indexOf(ev.type);
      ctx.fillStyle = typeColour(ev.type);
      ctx.fillRect(x - 1, 4 + lane * ((hgt - 24) / Math.max(1, lanes.length)), 3, (hgt - 24) / Math.max(1, lanes.length));
    }
    timeline.onclick = (e: MouseEvent) => {
      const tm = t0 + (e.offsetX / timeline.clientWidth) * span;
      const near = items.reduce<EventItem | null>((b, ev) => (!b || Math.abs(ev.start_time - tm) < Math.abs(b.start_time - tm) ? ev : b), null);
      if (near) location.hash = `#/events/${encodeURIComponent(near.id)}`;
    };
  }

  async function load(append = false): Promise<void> {
    offset = append ? offset + PAGE : 0;
    const params = new URLSearchParams({ limit: String(PAGE), offset: String(offset) });
    for (const [k, v] of Object.entries(filters())) if (v !== null) params.set(k, String(v));
    const page = await api<EventPage>(`/api/events?${params}`);
    items = append ? items.concat(page.items) : page.items;
    if (!append) list.replaceChildren();
    list.append(...page.items.map((ev) => row(ev)));
    if (!items.length) list.append(h("p", { class: "muted" }, t("no_data")));
    total.textContent = `${t("total")} ${page.total}`;
    more.hidden = items.length >= page.total;
    drawTimeline();
  }

  function matches(ev: EventItem): boolean {
    const f = filters();
    return (
      (!f.camera_id || ev.camera_id === f.camera_id) &&
      (!f.type || ev.type === f.type) &&
      (!f.object_class || ev.object_class === f.object_class) &&
      (f.since === null || ev.start_time >= f.since) &&
      (f.until === null || ev.start_time < f.until)
    );
  }

  root.append(
    h("div", { class: "toolbar" }, h("h2", null, t("events")), total, h("span", { class: "spacer" }), h("span", { class: "live-dot" }, t("new_events"))),
    h(
      "form",
      { class: "filters", onsubmit: (e: Event) => (e.preventDefault(), void load()) },
      h("label", null, t("camera"), camera),
      h("label", null, t("type"), type),
      h("label", null, t("class"), cls),
      h("label", null, t("since"), since),
      h("label", null, t("until"), until),
      h("button", { type: "submit", class: "primary" }, t("filter")),
      h("button", { type: "reset", onclick: () => setTimeout(() => void load()) }, t("reset")),
    ),
    h("div", { class: "card" }, h("div", { class: "muted" }, t("timeline")), timeline),
    list,
    more,
  );
  for (const el of [camera, type, cls]) el.addEventListener("change", () => void load());
  await load();
  const off = onLiveEvent((ev) => {
    if (!matches(ev) || list.querySelector(`[data-event="${CSS.escape(ev.id)}"]`)) return;
    list.querySelector("p.muted")?.remove();
    items.unshift(ev);
    list.prepend(row(ev, true));
    total.textContent = `${t("total")} ${Number(total.textContent?.replace(/\D/g, "") || 0) + 1}`;
    drawTimeline();
  });
  return off;
}
