// Shared pieces for structured records (people, vehicles, faces): the colour palette, attribute labels and
// the result card used by every search.

import { fmtTime, h } from "./dom";
import { lang, t } from "./i18n";

export interface RecordAttr {
  name: string;
  value: unknown;
  code: string | number | null;
  confidence: number | null;
}
export interface RecordItem {
  id: string;
  type: string;
  object_class: string | null;
  camera_id: string;
  track_id: number | null;
  appear_time: number | null;
  disappear_time: number | null;
  shot_time: number | null;
  box: number[] | null;
  confidence: number | null;
  quality: number | null;
  attributes: RecordAttr[];
  region_source?: string | null;
  plate_no: string | null;
  gender: string | null;
  age_low: number | null;
  age_up: number | null;
  parent_id: string | null;
  face_id: string | null;
  has_embedding: boolean;
  snapshot_url: string | null;
  crop_url: string | null;
  score?: number;
  distance?: number;
}

/** The 12 colour names the attribute search accepts (GA/T 1400 ColorType 1-12), with a swatch and Chinese. */
export const PALETTE: [name: string, css: string, zh: string][] = [
  ["black", "#111", "黑"],
  ["white", "#f4f4f4", "白"],
  ["gray", "#8a8a8a", "灰"],
  ["red", "#d62828", "红"],
  ["blue", "#2563eb", "蓝"],
  ["yellow", "#facc15", "黄"],
  ["orange", "#f97316", "橙"],
  ["brown", "#8b5a2b", "棕"],
  ["green", "#16a34a", "绿"],
  ["purple", "#8b5cf6", "紫"],
  ["cyan", "#06b6d4", "青"],
  ["pink", "#f472b6", "粉"],
];

export const RECORD_TYPES = ["person", "motor_vehicle", "non_motor_vehicle", "face"];

export function colourName(value: unknown): string {
  const hit = PALETTE.find(([n]) => n === value);
  return hit ? (lang === "zh" ? hit[2] : hit[0]) : String(value ?? "—");
}

export function pct(x: number | null | undefined): string {
  return x === null || x === undefined ? "—" : `${Math.round(x * 100)}%`;
}

function attrValue(a: RecordAttr): string {
  if (typeof a.value === "string" && PALETTE.some(([n]) => n === a.value)) return colourName(a.value);
  if (a.name === "gender" && typeof a.value === "string") return t(`gender_${a.value}`);
  return String(a.value ?? "—");
}

/** One attribute as a chip: label, value (a swatch for colours) and how sure the analyser was. */
export function attrChip(a: RecordAttr): HTMLElement {
  const colour = PALETTE.find(([n]) => n === a.value);
  return h(
    "span",
    { class: "chip", "data-attr": a.name, "data-value": String(a.value ?? ""), title: a.code !== null ? `code ${a.code}` : null },
    colour ? h("i", { class: "swatch", style: { background: colour[1] } }) : null,
    `${t(a.name)}: ${attrValue(a)}`,
    a.confidence !== null ? h("small", null, ` ${pct(a.confidence)}`) : null,
  );
}

/** A result card: the crop, type, attributes with confidence, time, camera, and a score when searched by picture. */
export function recordCard(r: RecordItem, cameraName: (id: string) => string = (id) => id): HTMLElement {
  const img = r.crop_url ?? r.snapshot_url;
  const badge =
    r.score !== undefined
      ? h("span", { class: "badge score", "data-score": r.score }, `${t("similarity")} ${pct(r.score)}`)
      : r.distance !== undefined
        ? h("span", { class: "badge score" }, `${t("distance")} ${r.distance}`)
        : null;
  return h(
    "a",
    { class: "record-card", href: `#/records/${encodeURIComponent(r.id)}`, "data-record": r.id, "data-type": r.type },
    img ? h("img", { src: img, alt: t(r.type) }) : h("div", { class: "noimg" }),
    h(
      "div",
      { class: "rc-body" },
      h("div", { class: "rc-title" }, t(r.type), r.plate_no ? h("b", { class: "plate" }, r.plate_no) : null, badge),
      h("div", { class: "chips" }, r.attributes.map(attrChip)),
      h("div", { class: "muted" }, fmtTime(r.shot_time ?? r.appear_time), " · ", cameraName(r.camera_id)),
    ),
  );
}

/** datetime-local value → epoch seconds (local time), or null when empty. */
export function toEpoch(v: string): number | null {
  return v ? new Date(v).getTime() / 1000 : null;
}
