// Camera grid: a live tile per camera with its status, and overlay toggles shared by all tiles.

import { api, type Camera } from "../api";
import { h } from "../dom";
import { t } from "../i18n";
import { liveView, type LiveView, type OverlayOptions } from "../live";

const OPTS_KEY = "anfang.overlay";

function loadOpts(): OverlayOptions {
  try {
    return { boxes: true, geometry: true, ...JSON.parse(localStorage.getItem(OPTS_KEY) ?? "{}") };
  } catch {
    return { boxes: true, geometry: true };
  }
}

export function statusText(cam: Camera): { state: string; text: string } {
  const s = cam.status;
  const state = s?.state ?? "unknown";
  const fps = s?.fps_in ? ` · ${s.fps_in.toFixed(1)} ${t("fps")}` : "";
  return { state, text: `${t(state)}${fps}` };
}

export async function livePage(root: HTMLElement): Promise<() => void> {
  let opts = loadOpts();
  const views = new Map<string, { view: LiveView; status: HTMLElement; err: HTMLElement }>();
  const toggle = (key: keyof OverlayOptions) =>
    h(
      "label",
      { class: "toggle" },
      h("input", {
        type: "checkbox",
        checked: opts[key],
        "data-toggle": key,
        onchange: (e: Event) => {
          opts = { ...opts, [key]: (e.target as HTMLInputElement).checked };
          localStorage.setItem(OPTS_KEY, JSON.stringify(opts));
          views.forEach(({ view }) => view.setOptions(opts));
        },
      }),
      t(key),
    );
  const grid = h("section", { class: "grid", id: "grid" });
  root.append(h("div", { class: "toolbar" }, h("h2", null, t("live")), h("span", { class: "spacer" }), t("overlay"), ":", toggle("boxes"), toggle("geometry")), grid);

  async function refresh(): Promise<void> {
    const cams = await api<Camera[]>("/api/cameras");
    if (!cams.length && !views.size) grid.replaceChildren(h("p", { class: "muted" }, t("no_cameras")));
    for (const cam of cams) {
      let entry = views.get(cam.id);
      if (!entry) {
        if (!views.size) grid.replaceChildren();
        const view = liveView(cam, opts);
        const status = h("span", { class: "status" });
        const err = h("div", { class: "tile-error" });
        grid.append(
          h(
            "article",
            { class: "tile", "data-camera": cam.id },
            view.el,
            h("div", { class: "bar" }, h("a", { href: `#/cameras/${encodeURIComponent(cam.id)}`, class: "name" }, cam.name || cam.id), status),
            err,
          ),
        );
        entry = { view, status, err };
        views.set(cam.id, entry);
      }
      entry.view.setCamera(cam);
      const { state, text } = statusText(cam);
      entry.status.textContent = text;
      entry.status.className = `status state-${state}`;
      entry.err.textContent = cam.status?.last_error ? `${t("last_error")}: ${cam.status.last_error}` : "";
    }
    for (const [id, entry] of views) {
      if (!cams.some((c) => c.id === id)) {
        entry.view.stop();
        grid.querySelector(`[data-camera="${CSS.escape(id)}"]`)?.remove();
        views.delete(id);
      }
    }
  }

  await refresh();
  const timer = window.setInterval(() => void refresh().catch(() => {}), 3000);
  return () => {
    clearInterval(timer);
    views.forEach(({ view }) => view.stop());
  };
}
