// Recordings: per camera, one day's recorded coverage on a 24-hour timeline with events marked; a click plays
// that moment (play.mp4 cut from the segments, no re-encoding).

import { api, type Camera, type EventPage } from "../api";
import { h } from "../dom";
import { t } from "../i18n";

interface Listing {
  camera_id: string;
  mode: string;
  paused: boolean;
  timeline: [number, number][];
}

const DAY = 86400;
const CLIP_S = 300; // a click plays up to 5 minutes from that moment (or to the end of the covered interval)

function dayStart(date: string): number {
  const [y, m, d] = date.split("-").map(Number);
  return new Date(y, m - 1, d).getTime() / 1000; // local midnight: the operator's day
}

function isoDay(epoch: number): string {
  const d = new Date(epoch * 1000);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

const clock = (epoch: number) => new Date(epoch * 1000).toLocaleTimeString();

export async function recordingsPage(root: HTMLElement, params: string[]): Promise<() => void> {
  const cams = await api<Camera[]>("/api/cameras");
  const camera = h("select", { name: "camera", id: "rec-camera" }, ...cams.map((c) => h("option", { value: c.id }, c.name || c.id)));
  camera.value = params[0] && cams.some((c) => c.id === params[0]) ? params[0] : (cams[0]?.id ?? "");
  const day = h("input", { type: "date", name: "day", id: "rec-day", value: isoDay(Date.now() / 1000) });
  const info = h("span", { class: "muted", id: "rec-info" });
  const bar = h("div", { class: "rec-timeline", id: "rec-timeline", title: t("click_to_play") });
  const ticks = h("div", { class: "rec-ticks" });
  for (let hr = 0; hr <= 24; hr += 3) ticks.append(h("span", { style: { left: `${(hr / 24) * 100}%` } }, `${hr}:00`));
  const video = h("video", { id: "rec-video", controls: true, muted: true, playsInline: true, hidden: true });
  video.muted = true;
  const playing = h("p", { class: "muted", id: "rec-playing" });
  const shift = (days: number) => () => {
    day.value = isoDay(dayStart(day.value) + days * DAY + 3600);
    void load();
  };
  root.append(
    h("div", { class: "toolbar" }, h("h2", null, t("recordings")), h("span", { class: "spacer" }), camera,
      h("button", { class: "small", onclick: shift(-1) }, "◀"), day, h("button", { class: "small", onclick: shift(1) }, "▶")),
    h("section", { class: "card" }, info, bar, ticks, h("p", { class: "legend muted" },
      h("span", { class: "swatch rec" }), t("recorded"), " ", h("span", { class: "swatch ev" }), t("events"))),
    h("section", { class: "card" }, playing, video),
  );

  let coverage: [number, number][] = [];
  let t0 = 0;

  async function load(): Promise<void> {
    if (!camera.value) {
      info.textContent = t("no_cameras");
      return;
    }
    history.replaceState(null, "", `#/recordings/${encodeURIComponent(camera.value)}`); // no re-render
    t0 = dayStart(day.value);
    const t1 = t0 + DAY;
    const cam = encodeURIComponent(camera.value);
    const [rec, evs] = await Promise.all([
      api<Listing>(`/api/recordings/${cam}?since=${t0}&until=${t1}`),
      api<EventPage>(`/api/events?camera_id=${cam}&since=${t0}&until=${t1}&limit=500`).catch(() => ({ items: [], total: 0, limit: 0, offset: 0 })),
    ]);
    coverage = rec.timeline.map(([a, b]) => [Math.max(a, t0), Math.min(b, t1)]);
    const pct = (x: number) => `${(((x - t0) / DAY) * 100).toFixed(4)}%`;
    const wid = (a: number, b: number) => `max(2px, ${(((b - a) / DAY) * 100).toFixed(4)}%)`;
    bar.replaceChildren(
      ...coverage.map(([a, b]) => h("div", { class: "rec-span", "data-start": a, "data-end": b, title: `${clock(a)} – ${clock(b)}`, style: { left: pct(a), width: wid(a, b) } })),
      ...evs.items.map((ev) => h("div", { class: "rec-event", "data-event": ev.id, title: `${t(ev.type)} ${clock(ev.start_time)}`, style: { left: pct(ev.start_time) } })),
    );
    const secs = coverage.reduce((s, [a, b]) => s + (b - a), 0);
    info.textContent = coverage.length
      ? `${t("recorded")}: ${(secs / 3600).toFixed(2)} h · ${coverage.length} ${t("intervals")} · ${evs.items.length} ${t("events")}${rec.paused ? ` · ${t("paused")}` : ""}`
      : `${t("no_recordings")} (${t("mode")}: ${rec.mode})`;
  }

  function play(at: number, tolerance: number): void {
    // One pixel is about a minute of the day: take the nearest recorded stretch within a few pixels.
    const dist = ([a, b]: [number, number]) => (at < a ? a - at : at > b ? at - b : 0);
    const span = coverage.reduce<[number, number] | null>((best, s) => (!best || dist(s) < dist(best) ? s : best), null);
    if (!span || dist(span) > tolerance) return;
    const start = Math.min(Math.max(at, span[0]), Math.max(span[0], span[1] - 10));
    const end = Math.min(span[1], start + CLIP_S);
    if (end - start < 0.5) return;
    video.hidden = false;
    video.src = `/api/recordings/${encodeURIComponent(camera.value)}/play.mp4?start=${start.toFixed(3)}&end=${end.toFixed(3)}`;
    video.dataset.start = String(start);
    playing.textContent = `${t("playing")} ${clock(start)} – ${clock(end)}`;
    void video.play().catch(() => {});
  }

  bar.onclick = (e: MouseEvent) => {
    const rect = bar.getBoundingClientRect();
    play(t0 + ((e.clientX - rect.left) / rect.width) * DAY, (6 / rect.width) * DAY);
  };
  camera.onchange = () => void load();
  day.onchange = () => void load();
  await load();
  const timer = window.setInterval(() => void load().catch(() => {}), 10000); // coverage grows while recording
  return () => {
    clearInterval(timer);
    video.removeAttribute("src");
  };
}
