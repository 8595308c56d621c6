// One record: the best view, the crop, attributes with confidence bars, links to its face/person record, and
// its GA/T 1400 (VIID) JSON to read or download.

import { api } from "../api";
import { fmtTime, h } from "../dom";
import { t } from "../i18n";
import { attrChip, pct, type RecordItem } from "../records";
import { findSimilar } from "./search";

export async function recordPage(root: HTMLElement, [id]: string[]): Promise<void> {
  const r = await api<RecordItem>(`/api/records/${encodeURIComponent(id)}`);
  const facts: [string, Node | string][] = [
    [t("type"), t(r.type)],
    [t("class"), r.object_class ?? "—"],
    [t("camera"), r.camera_id],
    [t("track"), r.track_id !== null ? `#${r.track_id}` : "—"],
    [t("appear"), fmtTime(r.appear_time)],
    [t("disappear"), fmtTime(r.disappear_time)],
    [t("shot_time"), fmtTime(r.shot_time)],
    [t("confidence"), pct(r.confidence)],
    [t("quality"), pct(r.quality)],
  ];
  if (r.plate_no) facts.push([t("plate_no"), r.plate_no]);
  if (r.gender) facts.push([t("gender"), t(`gender_${r.gender}`)]);
  if (r.age_low !== null || r.age_up !== null) facts.push([t("age"), `${r.age_low ?? "?"}–${r.age_up ?? "?"}`]);
  if (r.region_source) facts.push([t("region_source"), r.region_source]);
  if (r.parent_id) facts.push([t("person_record"), h("a", { href: `#/records/${encodeURIComponent(r.parent_id)}` }, r.parent_id.slice(0, 12))]);
  if (r.face_id) facts.push([t("face_record"), h("a", { href: `#/records/${encodeURIComponent(r.face_id)}` }, r.face_id.slice(0, 12))]);

  const attrs = h(
    "table",
    { class: "table", id: "record-attrs" },
    h("thead", null, h("tr", null, h("th", null, t("attribute")), h("th", null, t("value")), h("th", null, t("confidence")))),
    h(
      "tbody",
      null,
      r.attributes.map((a) =>
        h(
          "tr",
          null,
          h("td", null, t(a.name)),
          h("td", null, attrChip({ ...a, confidence: null })),
          h("td", null, a.confidence !== null ? h("div", { class: "conf" }, h("div", { class: "meter" }, h("i", { style: { width: pct(a.confidence), background: "var(--accent)" } })), pct(a.confidence)) : "—"),
        ),
      ),
    ),
  );

  const json = h("pre", { class: "json", id: "gat1400" }, "…");
  const download = h("a", { class: "button small", id: "gat1400-download", download: `${r.id}.gat1400.json` }, t("download"));
  const gatBox = h("div", { class: "card" }, h("div", { class: "row" }, h("h3", null, "GA/T 1400"), h("span", { class: "spacer" }), download), json);
  api<unknown>(`/api/records/${encodeURIComponent(r.id)}/gat1400`).then(
    (obj) => {
      const text = JSON.stringify(obj, null, 2);
      json.textContent = text;
      download.setAttribute("href", URL.createObjectURL(new Blob([text], { type: "application/json" })));
    },
    (err) => (json.textContent = String((err as Error).message ?? err)),
  );

  root.append(
    h(
      "div",
      { class: "toolbar" },
      h("a", { href: "#/search", class: "button" }, "← ", t("back")),
      h("h2", null, `${t(r.type)} · ${r.camera_id}`),
      h("span", { class: "spacer" }),
      r.has_embedding && r.crop_url ? h("button", { id: "find-similar", onclick: () => findSimilar(r.id) }, t("find_similar")) : null,
    ),
    h(
      "div",
      { class: "detail" },
      h(
        "div",
        { class: "detail-media" },
        r.snapshot_url ? h("figure", null, h("img", { id: "snapshot", src: r.snapshot_url, alt: t("snapshot") }), h("figcaption", null, t("snapshot"))) : null,
        gatBox,
      ),
      h(
        "div",
        { class: "detail-side card" },
        r.crop_url ? h("figure", null, h("img", { id: "crop", src: r.crop_url, alt: t("crop") }), h("figcaption", null, t("crop"))) : null,
        h("dl", { class: "facts" }, facts.map(([k, v]) => [h("dt", null, k), h("dd", null, v)])),
        h("h3", null, t("attributes")),
        attrs,
      ),
    ),
  );
}
