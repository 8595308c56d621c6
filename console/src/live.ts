// One live camera view: MJPEG stream when the server has it, else polled JPEG frames; a canvas overlay on top.

import { api, has, type Camera } from "./api";
import { h } from "./dom";
import { drawBoxes, drawLines, drawZones, parseOverlay, prepare, type Overlay } from "./overlay";

export interface OverlayOptions {
  boxes: boolean;
  geometry: boolean;
}

export interface LiveView {
  el: HTMLElement;
  img: HTMLImageElement;
  setCamera(cam: Camera): void;
  setOptions(opts: OverlayOptions): void;
  /** The newest overlay's frame timestamp (epoch seconds), for latency measurements. */
  lastOverlay(): Overlay | null;
  stop(): void;
}

const POLL_MS = 250;
const OVERLAY_MS = 200;

export function liveView(initial: Camera, initialOpts: OverlayOptions): LiveView {
  let cam = initial;
  let opts = initialOpts;
  let stopped = false;
  let overlay: Overlay | null = null;
  let pollTimer = 0;
  let overlayTimer = 0;
  const img = h("img", { class: "live-img", alt: cam.name ?? cam.id, draggable: false });
  const canvas = h("canvas", { class: "live-overlay" });
  const el = h("div", { class: "live-view" }, img, canvas);
  const mjpeg = has("/api/cameras/{camera_id}/live.mjpg");
  const overlayRoute = has("/api/cameras/{camera_id}/overlay");
  const base = () => `/api/cameras/${encodeURIComponent(cam.id)}`;
  el.dataset.mode = mjpeg ? "mjpeg" : "poll";

  function redraw(): void {
    const w = overlay?.width || img.naturalWidth;
    const hgt = overlay?.height || img.naturalHeight;
    const ctx = prepare(canvas, w, hgt);
    // Without the overlay route, boxes come burnt into annotated frames; then geometry is in them too.
    const serverDrawn = !overlayRoute && opts.boxes;
    if (opts.geometry && !serverDrawn) {
      drawZones(ctx, cam.config.zones ?? []);
      drawLines(ctx, cam.config.lines ?? []);
    }
    if (opts.boxes && overlay) drawBoxes(ctx, overlay.boxes);
  }

  function poll(): void {
    if (stopped) return;
    const annotated = !overlayRoute && opts.boxes ? "&annotated=true" : "";
    const next = new Image();
    next.onload = () => {
      if (stopped) return;
      img.src = next.src;
      el.dataset.frames = String(Number(el.dataset.frames ?? 0) + 1);
      redraw();
      pollTimer = window.setTimeout(poll, POLL_MS);
    };
    next.onerror = () => {
      if (!stopped) pollTimer = window.setTimeout(poll, 2000);
    };
    next.src = `${base()}/frame.jpg?t=${Date.now()}${annotated}`;
  }

  function startStream(): void {
    img.onload = redraw;
    img.onerror = () => {
      // The stream ended (camera restarted or server went away): reconnect after a pause.
      if (!stopped) window.setTimeout(startStream, 2000);
    };
    img.src = `${base()}/live.mjpg?overlay=${!overlayRoute && opts.boxes ? 1 : 0}&t=${Date.now()}`;
  }

  async function pollOverlay(): Promise<void> {
    if (stopped) return;
    if (opts.boxes || opts.geometry) {
      try {
        overlay = parseOverlay(await api<Record<string, unknown>>(`${base()}/overlay`));
        el.dataset.overlayTs = String(overlay.timestamp ?? "");
        redraw();
      } catch {
        overlay = null;
      }
    }
    overlayTimer = window.setTimeout(pollOverlay, OVERLAY_MS);
  }

  if (mjpeg) startStream();
  else poll();
  if (overlayRoute) void pollOverlay();

  return {
    el,
    img,
    setCamera(next) {
      cam = next;
      redraw();
    },
    setOptions(next) {
      const streamChanged = mjpeg && !overlayRoute && next.boxes !== opts.boxes;
      opts = next;
      if (streamChanged) startStream();
      redraw();
    },
    lastOverlay: () => overlay,
    stop() {
      stopped = true;
      clearTimeout(pollTimer);
      clearTimeout(overlayTimer);
      img.onerror = null;
      img.removeAttribute("src"); // closes an MJPEG connection
    },
  };
}
