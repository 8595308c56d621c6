// One event: its snapshot with the box, the object crop, facts, acknowledgement and the recorded clip.

import { ackControls } from "../ack";
import { api, has, type EventItem } from "../api";
import { fmtTime, h } from "../dom";
import { t } from "../i18n";

const MATCH_KEYS = new Set(["person", "person_id", "watchlist", "watchlist_id", "kind", "similarity", "liveness", "face"]);

/** A watchlist hit: who matched, on which list, how similar, liveness and the face's attributes. */
function matchCard(ev: EventItem): HTMLElement {
  const a = ev.attributes ?? {};
  const sim = typeof a.similarity === "number" ? a.similarity : ev.score;
  const face = (typeof a.face === "object" && a.face !== null ? a.face : {}) as Record<string, unknown>;
  const faceFacts = Object.entries(face).filter(([, v]) => typeof v === "string" || typeof v === "number" || typeof v === "boolean");
  const num = (v: unknown) => (typeof v === "number" ? (Math.abs(v) <= 1 ? `${Math.round(v * 100)}%` : v.toFixed(1)) : String(v));
  return h(
    "div",
    { class: "match", id: "watchlist-match" },
    h("h3", null, t("matched_person")),
    h("div", { class: "match-name" }, String(a.person ?? "—"), a.kind ? h("span", { class: `badge kind-${a.kind}` }, t(String(a.kind))) : null),
    h(
      "div",
      { class: "muted" },
      t("watchlist"),
      ": ",
      typeof a.watchlist_id === "number" && has("/api/watchlists") ? h("a", { href: `#/faces/${a.watchlist_id}` }, String(a.watchlist ?? a.watchlist_id)) : String(a.watchlist ?? "—"),
    ),
    sim !== null && sim !== undefined
      ? h("div", { class: "conf", id: "match-similarity" }, h("div", { class: "meter" }, h("i", { style: { width: `${Math.round(Number(sim) * 100)}%`, background: "var(--alarm)" } })), `${t("similarity")} ${Math.round(Number(sim) * 100)}%`)
      : null,
    typeof a.liveness === "number" ? h("div", { class: "muted" }, `${t("liveness")} ${Math.round(a.liveness * 100)}%`) : null,
    faceFacts.length ? h("dl", { class: "facts" }, faceFacts.map(([k, v]) => [h("dt", null, t(k)), h("dd", null, num(v))])) : null,
  );
}

export async function eventPage(root: HTMLElement, [id]: string[]): Promise<void> {
  const ev = await api<EventItem>(`/api/events/${encodeURIComponent(id)}`);
  const base = `/api/events/${encodeURIComponent(ev.id)}`;
  const facts: [string, string][] = [
    [t("type"), t(ev.type)],
    [t("rule"), ev.rule],
    [t("camera"), ev.camera_id],
    [t("class"), ev.object_class ?? "—"],
    [t("track"), ev.track_id !== null ? `#${ev.track_id}` : "—"],
    [t("score"), ev.score !== null ? ev.score.toFixed(2) : "—"],
    [t("time"), fmtTime(ev.start_time)],
  ];
  const match = ev.type === "watchlist_match" ? matchCard(ev) : null;
  for (const [k, v] of Object.entries(ev.attributes ?? {})) {
    if (match && MATCH_KEYS.has(k)) continue;
    if (k !== "ack" && (typeof v !== "object" || v === null)) facts.push([k, String(v)]);
  }
  const ackBox = h("div", { class: "ack-row" });
  const renderAck = (e: EventItem) => ackBox.replaceChildren(ackControls(e, renderAck, true));
  renderAck(ev);

  const clip = h("div", { class: "clip" });
  if (has("/api/events/{event_id}/clip.mp4")) {
    const video = h("video", { id: "clip", controls: true, muted: true, playsInline: true, preload: "auto", src: `${base}/clip.mp4` });
    video.onerror = () => clip.replaceChildren(h("p", { class: "muted" }, t("no_clip")));
    clip.append(h("h3", null, t("clip")), video);
  } else if (has("/api/recordings/{camera_id}/play.mp4")) {
    const start = ev.start_time - 5;
    const end = (ev.end_time ?? ev.start_time) + 10;
    const video = h("video", {
      id: "clip",
      controls: true,
      muted: true,
      preload: "auto",
      src: `/api/recordings/${encodeURIComponent(ev.camera_id)}/play.mp4?start=${start}&end=${end}`,
    });
    video.onerror = () => clip.replaceChildren(h("p", { class: "muted" }, t("no_clip")));
    clip.append(h("h3", null, t("recording")), video);
  }

  root.append(
    h("div", { class: "toolbar" }, h("a", { href: "#/events", class: "button" }, "← ", t("back")), h("h2", null, `${t(ev.type)} · ${ev.rule}`), h("span", { class: "spacer" }), ackBox),
    h(
      "div",
      { class: "detail" },
      h(
        "div",
        { class: "detail-media" },
        ev.has_snapshot !== false ? h("figure", null, h("img", { id: "snapshot", src: `${base}/snapshot.jpg`, alt: t("snapshot") }), h("figcaption", null, t("snapshot"))) : null,
        clip,
      ),
      h(
        "div",
        { class: "detail-side card" },
        match,
        ev.has_crop !== false ? h("figure", null, h("img", { id: "crop", src: `${base}/crop.jpg`, alt: t("crop") }), h("figcaption", null, t("crop"))) : null,
        h("dl", { class: "facts" }, facts.map(([k, v]) => [h("dt", null, k), h("dd", null, v)])),
      ),
    ),
  );
}
