// Camera settings: the list, and an editor with zones/lines drawn on the current frame and rules.
// Saving goes through the API's validation (422 messages name the field) and applies without a restart.

import { api, ApiError, type Camera, type CameraConfig, type Line, type Rule, type Zone } from "../api";
import { h } from "../dom";
import { t } from "../i18n";
import { drawLines, drawZones, prepare } from "../overlay";
import { fields, initial, plugins, ruleRef, types, type Field } from "../plugins";
import { statusText } from "./live";

// Rule fields every rule has and the editor shows in its own way (or not at all).
const RULE_COMMON = ["name", "classes", "schedule", "enabled", "zone", "line"];

/** A form control for one plug-in config field (from its JSON schema); ``set`` gets the parsed value. */
function fieldInput(name: string, f: Field, value: unknown, set: (v: unknown) => void): HTMLElement {
  const label = t(f.key) !== f.key ? t(f.key) : f.prop.title ?? f.key;
  const kind = f.prop.type;
  let control: HTMLElement;
  if (f.prop.enum) {
    const sel = h("select", { name, onchange: () => set(sel.value) }, f.prop.enum.map((v) => h("option", { value: String(v) }, String(v))));
    sel.value = String(value ?? f.prop.default ?? f.prop.enum[0]);
    control = sel;
  } else if (kind === "boolean") {
    const box = h("input", { type: "checkbox", name, checked: Boolean(value ?? f.prop.default), onchange: () => set(box.checked) });
    return h("label", { class: "check" }, box, label);
  } else if (kind === "number" || kind === "integer") {
    const inp = h("input", {
      type: "number",
      step: kind === "integer" ? "1" : "any",
      name,
      value: value === undefined || value === null ? "" : String(value),
      placeholder: f.prop.default === undefined ? "" : String(f.prop.default),
      onchange: () => set(inp.value === "" ? undefined : Number(inp.value)),
    });
    control = inp;
  } else if (kind === "string" || kind === undefined) {
    const inp = h("input", { name, value: value === undefined || value === null ? "" : String(value), onchange: () => set(inp.value === "" && !f.required ? undefined : inp.value) });
    control = inp;
  } else {
    // Arrays and objects (points, maps): JSON text, checked by the API on save.
    const inp = h("input", {
      name,
      class: "mono",
      value: value === undefined || value === null ? "" : JSON.stringify(value),
      onchange: () => {
        try {
          set(inp.value === "" ? undefined : JSON.parse(inp.value));
          inp.classList.remove("invalid");
        } catch {
          inp.classList.add("invalid");
        }
      },
    });
    control = inp;
  }
  return h("label", null, label, control);
}

export async function camerasPage(root: HTMLElement): Promise<void> {
  const cams = await api<Camera[]>("/api/cameras");
  root.append(
    h("div", { class: "toolbar" }, h("h2", null, t("cameras")), h("span", { class: "spacer" }), h("a", { class: "button primary", href: "#/cameras/new", id: "add-camera" }, t("add_camera"))),
    h(
      "table",
      { class: "table" },
      h("thead", null, h("tr", null, [t("id"), t("name"), t("source"), t("state"), t("zones"), t("lines"), t("rules"), ""].map((x) => h("th", null, x)))),
      h(
        "tbody",
        null,
        cams.map((c) => {
          const { state, text } = statusText(c);
          const src = c.config.source;
          return h(
            "tr",
            { "data-camera": c.id },
            h("td", null, c.id),
            h("td", null, c.name ?? ""),
            h("td", { class: "mono" }, `${src.type}: ${src.path ?? src.url ?? ""}`),
            h("td", { class: `state-${state}` }, text),
            h("td", null, String(c.config.zones.length)),
            h("td", null, String(c.config.lines.length)),
            h("td", null, String(c.config.rules.length)),
            h("td", null, h("a", { class: "button small", href: `#/cameras/${encodeURIComponent(c.id)}` }, t("edit"))),
          );
        }),
      ),
    ),
  );
}

type Mode = { kind: "idle" } | { kind: "zone"; points: [number, number][] } | { kind: "line"; points: [number, number][] };

function uniqueName(prefix: string, taken: string[]): string {
  for (let i = 1; ; i++) if (!taken.includes(`${prefix}${i}`)) return `${prefix}${i}`;
}

export async function cameraEditPage(root: HTMLElement, [id]: string[]): Promise<() => void> {
  const isNew = !id;
  const cam: Camera | null = isNew ? null : await api<Camera>(`/api/cameras/${encodeURIComponent(id)}`);
  const cfg: CameraConfig = cam
    ? structuredClone(cam.config)
    : { id: "", name: "", source: { type: "file", path: "", loop: true, realtime: true }, detect_fps: 5, zones: [], lines: [], rules: [] };
  let mode: Mode = { kind: "idle" };
  let highlight = -1;
  let frameTimer = 0;

  // ---------------------------------------------------------------- basic fields
  const input = (name: string, value: unknown, attrs: Record<string, unknown> = {}) =>
    h("input", { name, value: value === undefined || value === null ? "" : String(value), ...attrs });
  const fId = input("id", cfg.id, { readOnly: !isNew, required: true });
  const fName = input("name", cfg.name);
  const sourceTypes = types("source").length ? types("source") : [cfg.source.type];
  const fType = h("select", { name: "source.type" }, sourceTypes.map((x) => h("option", { value: x }, t(x))));
  fType.value = cfg.source.type;
  const fFps = input("detect_fps", cfg.detect_fps ?? 5, { type: "number", step: "0.5", min: "0.1" });
  // The selected source type's fields, from its config schema; values kept per type while switching.
  const sourceValues: Record<string, Record<string, unknown>> = { [cfg.source.type]: { ...cfg.source } };
  const sourceFields = h("div", { class: "source-fields", id: "source-fields" });
  const syncType = () => {
    const type = fType.value;
    const values = (sourceValues[type] ??= { type });
    const info = plugins().source[type];
    for (const f of fields(info)) if (values[f.key] === undefined && f.required && initial(f) !== undefined) values[f.key] = initial(f);
    sourceFields.replaceChildren(...fields(info).map((f) => fieldInput(`source.${f.key}`, f, values[f.key], (v) => (v === undefined ? delete values[f.key] : (values[f.key] = v)))));
  };
  fType.onchange = syncType;
  syncType();

  // ---------------------------------------------------------------- drawing canvas
  const canvas = h("canvas", { class: "editor-canvas", id: "editor-canvas", width: 768, height: 576 });
  const bg = new Image();
  const help = h("p", { class: "muted", id: "draw-help" });
  const zoneList = h("div", { class: "geo-list", id: "zones" });
  const lineList = h("div", { class: "geo-list", id: "lines" });
  const ruleList = h("div", { class: "rule-list", id: "rules" });
  const finishBtn = h("button", { type: "button", id: "finish-zone", hidden: true, onclick: () => finish() }, t("finish"));
  const cancelBtn = h("button", { type: "button", hidden: true, onclick: () => setMode({ kind: "idle" }) }, t("cancel"));

  function redraw(): void {
    const ctx = prepare(canvas, bg.naturalWidth || canvas.width, bg.naturalHeight || canvas.height);
    if (bg.complete && bg.naturalWidth) ctx.drawImage(bg, 0, 0);
    else {
      ctx.fillStyle = "#000";
      ctx.fillRect(0, 0, canvas.width, canvas.height);
    }
    drawZones(ctx, cfg.zones, highlight);
    drawLines(ctx, cfg.lines);
    if (mode.kind !== "idle" && mode.points.length) {
      ctx.strokeStyle = "#ff5d5d";
      ctx.fillStyle = "#ff5d5d";
      ctx.lineWidth = 2;
      ctx.beginPath();
      mode.points.forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
      ctx.stroke();
      for (const [x, y] of mode.points) ctx.fillRect(x - 4, y - 4, 8, 8);
    }
  }

  function loadFrame(): void {
    if (isNew || !cam) return redraw();
    bg.onload = redraw;
    bg.onerror = redraw;
    bg.src = `/api/cameras/${encodeURIComponent(cam.id)}/frame.jpg?t=${Date.now()}`;
  }

  function setMode(next: Mode): void {
    mode = next;
    finishBtn.hidden = mode.kind !== "zone";
    cancelBtn.hidden = mode.kind === "idle";
    help.textContent = mode.kind === "zone" ? t("draw_zone_help") : mode.kind === "line" ? t("draw_line_help") : "";
    canvas.classList.toggle("drawing", mode.kind !== "idle");
    redraw();
  }

  function finish(): void {
    if (mode.kind === "zone" && mode.points.length >= 3) {
      cfg.zones.push({ name: uniqueName("zone", cfg.zones.map((z) => z.name)), points: mode.points });
    } else if (mode.kind === "line" && mode.points.length === 2) {
      cfg.lines.push({ name: uniqueName("line", cfg.lines.map((l) => l.name)), a: mode.points[0], b: mode.points[1] });
    } else return;
    setMode({ kind: "idle" });
    renderLists();
  }

  canvas.addEventListener("click", (e: MouseEvent) => {
    if (mode.kind === "idle") return;
    const r = canvas.getBoundingClientRect();
    const x = Math.round(((e.clientX - r.left) / r.width) * canvas.width);
    const y = Math.round(((e.clientY - r.top) / r.height) * canvas.height);
    mode.points.push([x, y]);
    if (mode.kind === "line" && mode.points.length === 2) finish();
    else redraw();
  });
  canvas.addEventListener("dblclick", () => mode.kind === "zone" && finish());

  // ---------------------------------------------------------------- zones, lines, rules lists
  function renameRefs(kind: "zone" | "line", from: string, to: string): void {
    for (const r of cfg.rules) if (r[kind] === from) r[kind] = to;
  }

  function renderLists(): void {
    zoneList.replaceChildren(
      ...cfg.zones.map((z: Zone, i) =>
        h(
          "div",
          { class: "geo", onmouseenter: () => ((highlight = i), redraw()), onmouseleave: () => ((highlight = -1), redraw()) },
          h("input", {
            value: z.name,
            name: `zones.${i}.name`,
            onchange: (e: Event) => {
              const v = (e.target as HTMLInputElement).value;
              renameRefs("zone", z.name, v);
              z.name = v;
              renderLists();
            },
          }),
          h("span", { class: "muted" }, `${z.points.length} pts`),
          h("button", { type: "button", class: "small", onclick: () => (cfg.zones.splice(i, 1), renderLists()) }, t("remove")),
        ),
      ),
    );
    lineList.replaceChildren(
      ...cfg.lines.map((l: Line, i) =>
        h(
          "div",
          { class: "geo" },
          h("input", {
            value: l.name,
            name: `lines.${i}.name`,
            onchange: (e: Event) => {
              const v = (e.target as HTMLInputElement).value;
              renameRefs("line", l.name, v);
              l.name = v;
              renderLists();
            },
          }),
          h("button", { type: "button", class: "small", title: "A ↔ B", onclick: () => (([l.a, l.b] = [l.b, l.a]), renderLists()) }, "A↔B"),
          h("button", { type: "button", class: "small", onclick: () => (cfg.lines.splice(i, 1), renderLists()) }, t("remove")),
        ),
      ),
    );
    ruleList.replaceChildren(...cfg.rules.map(ruleRow));
    redraw();
  }

  function ruleRow(r: Rule, i: number): HTMLElement {
    const refKey = ruleRef(r.type) ?? (r.line !== undefined ? "line" : "zone");
    const refs = refKey === "zone" ? cfg.zones.map((z) => z.name) : cfg.lines.map((l) => l.name);
    const refSel = h("select", { name: `rules.${i}.${refKey}`, onchange: (e: Event) => (r[refKey] = (e.target as HTMLSelectElement).value) }, refs.map((n) => h("option", { value: n }, n)));
    if (r[refKey] && !refs.includes(String(r[refKey]))) refSel.append(h("option", { value: String(r[refKey]) }, String(r[refKey])));
    refSel.value = String(r[refKey] ?? "");
    const extra = fields(plugins().rule[r.type], RULE_COMMON).map((f) =>
      fieldInput(`rules.${i}.${f.key}`, f, r[f.key], (v) => (v === undefined ? delete r[f.key] : (r[f.key] = v))),
    );
    return h(
      "div",
      { class: "rule", "data-rule": r.name },
      h("label", null, t("name"), h("input", { name: `rules.${i}.name`, value: r.name, onchange: (e: Event) => (r.name = (e.target as HTMLInputElement).value) })),
      h("span", { class: "badge" }, t(r.type)),
      h("label", null, t(refKey === "zone" ? "zones" : "lines"), refSel),
      h("label", null, t("class"), h("input", { name: `rules.${i}.classes`, value: (r.classes ?? ["person"]).join(","), onchange: (e: Event) => (r.classes = (e.target as HTMLInputElement).value.split(",").map((s) => s.trim()).filter(Boolean)) })),
      extra,
      h("button", { type: "button", class: "small", onclick: () => (cfg.rules.splice(i, 1), renderLists()) }, t("remove")),
    );
  }

  const newRuleType = h("select", { id: "new-rule-type" }, types("rule").map((x) => h("option", { value: x }, t(x))));
  function addRule(): void {
    const type = newRuleType.value;
    const refKey = ruleRef(type) ?? "zone";
    const ref = refKey === "zone" ? cfg.zones.at(-1)?.name : cfg.lines.at(-1)?.name;
    const rule: Rule = { name: uniqueName(`${type}_`, cfg.rules.map((r) => r.name)), type };
    rule[refKey] = ref ?? "";
    for (const f of fields(plugins().rule[type], RULE_COMMON)) if (f.required && initial(f) !== undefined) rule[f.key] = initial(f);
    const classes = plugins().rule[type]?.schema.properties.classes?.default;
    rule.classes = Array.isArray(classes) ? (classes as string[]) : ["person"];
    cfg.rules.push(rule);
    renderLists();
  }

  // ---------------------------------------------------------------- save
  const msg = h("p", { class: "message", id: "save-message", role: "status" });
  async function save(e: Event): Promise<void> {
    e.preventDefault();
    msg.className = "message";
    msg.textContent = "";
    root.querySelectorAll(".invalid").forEach((el) => el.classList.remove("invalid"));
    const source: Record<string, unknown> = { ...sourceValues[fType.value], type: fType.value };
    const body = { ...cfg, id: fId.value.trim(), name: fName.value.trim() || null, source, detect_fps: Number(fFps.value) };
    try {
      const saved = await api<Camera>(isNew ? "/api/cameras" : `/api/cameras/${encodeURIComponent(body.id)}`, {
        method: isNew ? "POST" : "PUT",
        json: body,
      });
      msg.className = "message ok";
      msg.textContent = t("saved");
      if (isNew) location.hash = `#/cameras/${encodeURIComponent(saved.id)}`;
    } catch (err) {
      msg.className = "message error";
      msg.textContent = err instanceof ApiError ? err.message : String(err);
      if (err instanceof ApiError && err.field) {
        root.querySelector(`[name="${CSS.escape(err.field)}"]`)?.classList.add("invalid");
      }
    }
  }

  async function remove(): Promise<void> {
    if (!cam || !confirm(t("confirm_delete"))) return;
    await api(`/api/cameras/${encodeURIComponent(cam.id)}`, { method: "DELETE" });
    location.hash = "#/cameras";
  }

  root.append(
    h("div", { class: "toolbar" }, h("a", { href: "#/cameras", class: "button" }, "← ", t("back")), h("h2", null, isNew ? t("add_camera") : `${t("edit")} · ${cfg.name || cfg.id}`)),
    h(
      "form",
      { class: "editor", id: "camera-form", onsubmit: save, novalidate: true },
      h(
        "div",
        { class: "editor-main" },
        h(
          "div",
          { class: "draw-tools" },
          h("button", { type: "button", id: "draw-zone", onclick: () => setMode({ kind: "zone", points: [] }) }, t("draw_zone")),
          h("button", { type: "button", id: "draw-line", onclick: () => setMode({ kind: "line", points: [] }) }, t("draw_line")),
          finishBtn,
          cancelBtn,
          help,
        ),
        canvas,
      ),
      h(
        "div",
        { class: "editor-side card" },
        h("label", null, t("id"), fId),
        h("label", null, t("name"), fName),
        h("label", null, t("source_type"), fType),
        sourceFields,
        h("label", null, t("detect_fps"), fFps),
        h("h3", null, t("zones")),
        zoneList,
        h("h3", null, t("lines")),
        lineList,
        h("h3", null, t("rules")),
        ruleList,
        h("div", { class: "row" }, newRuleType, h("button", { type: "button", id: "add-rule", onclick: addRule }, t("add_rule"))),
        msg,
        h(
          "div",
          { class: "row" },
          h("button", { type: "submit", class: "primary", id: "save" }, t("save")),
          isNew ? null : h("button", { type: "button", class: "warn", onclick: () => void remove() }, t("delete")),
        ),
      ),
    ),
  );
  renderLists();
  loadFrame();
  // Keep the background current (slowly) so the operator draws on what the camera sees now.
  if (!isNew) frameTimer = window.setInterval(() => mode.kind === "idle" && loadFrame(), 5000);
  return () => clearInterval(frameTimer);
}
