// One live camera view: HLS (H.264 copied, no re-encoding) when the camera has it, else MJPEG, else polled
// JPEG frames; a canvas overlay on top, fed by the overlay websocket (polling when the socket is unavailable).

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
  video: HTMLVideoElement;
  setCamera(cam: Camera): void;
  setOptions(opts: OverlayOptions): void;
  /** The newest overlay's frame timestamp (epoch seconds), for latency measurements. */
  lastOverlay(): Overlay | null;
  stop(): void;
}

const POLL_MS = 250;
const OVERLAY_MS = 200;
const WS_RETRY_MS = 10000;
const HLS_TRIES = 20; // playlist answers 503 while the server's muxer starts (about 1–2 s)

// hls.js is loaded only when a tile actually plays HLS (Chromium has no native HLS; this is MSE).
type HlsModule = typeof import("hls.js");
let hlsModule: Promise<HlsModule> | null = null;
const loadHls = () => (hlsModule ??= import("hls.js"));

export function liveView(initial: Camera, initialOpts: OverlayOptions): LiveView {
  let cam = initial;
  let opts = initialOpts;
  let stopped = false;
  let overlay: Overlay | null = null;
  let pollTimer = 0;
  let overlayTimer = 0;
  let wsTimer = 0;
  let socket: WebSocket | null = null;
  let hls: { destroy(): void } | null = null;
  const img = h("img", { class: "live-img", alt: cam.name ?? cam.id, draggable: false });
  const video = h("video", { class: "live-img live-video", muted: true, autoplay: true, playsInline: true, hidden: true });
  video.muted = true; // autoplay needs it as a property, not only an attribute
  const canvas = h("canvas", { class: "live-overlay" });
  const el = h("div", { class: "live-view" }, img, video, canvas);
  const mjpeg = has("/api/cameras/{camera_id}/live.mjpg");
  const hlsRoute = has("/api/cameras/{camera_id}/hls/index.m3u8");
  const overlayRoute = has("/api/cameras/{camera_id}/overlay");
  const base = () => `/api/cameras/${encodeURIComponent(cam.id)}`;
  el.dataset.mode = mjpeg ? "mjpeg" : "poll";

  function redraw(): void {
    const playing = el.dataset.mode === "hls";
    const w = overlay?.width || (playing ? video.videoWidth : img.naturalWidth);
    const hgt = overlay?.height || (playing ? video.videoHeight : img.naturalHeight);
    const ctx = prepare(canvas, w, hgt);
    // Without the overlay route, boxes come burnt into annotated frames; then geometry is in them too.
    const serverDrawn = !overlayRoute && opts.boxes && !playing;
    if (opts.geometry && !serverDrawn) {
      drawZones(ctx, cam.config.zones ?? []);
      drawLines(ctx, cam.config.lines ?? []);
    }
    if (opts.boxes && overlay) drawBoxes(ctx, overlay.boxes);
  }

  function poll(): void {
    if (stopped || el.dataset.mode === "hls") return;
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
    if (el.dataset.mode === "hls") return;
    img.onload = redraw;
    img.onerror = () => {
      // The stream ended (camera restarted or server went away): reconnect after a pause.
      if (!stopped && el.dataset.mode !== "hls") window.setTimeout(startStream, 2000);
    };
    img.src = `${base()}/live.mjpg?overlay=${!overlayRoute && opts.boxes ? 1 : 0}&t=${Date.now()}`;
  }

  function startPicture(): void {
    el.dataset.mode = mjpeg ? "mjpeg" : "poll";
    img.hidden = false;
    video.hidden = true;
    if (mjpeg) startStream();
    else poll();
  }

  // ---------------------------------------------------------------- HLS (MJPEG shows until video plays)

  async function startHls(tries = HLS_TRIES): Promise<void> {
    if (stopped) return;
    const url = `${base()}/hls/index.m3u8`;
    const res = await fetch(url, { credentials: "same-origin" }).catch(() => null);
    if (stopped || !res) return;
    if (res.status === 503 && tries > 0) {
      const wait = Number(res.headers.get("Retry-After") ?? 1) * 1000;
      window.setTimeout(() => void startHls(tries - 1), wait);
      return;
    }
    if (!res.ok) return; // not H.264 (404) or no HLS: stay on MJPEG
    const Hls = (await loadHls()).default;
    if (stopped || !Hls.isSupported()) return;
    const player = new Hls({ liveSyncDurationCount: 2, maxLiveSyncPlaybackRate: 1.5, backBufferLength: 10 });
    hls = player;
    player.on(Hls.Events.ERROR, (_e, data) => {
      if (!data.fatal || stopped) return;
      player.destroy();
      hls = null;
      el.dataset.hlsError = data.details;
      startPicture();
      window.setTimeout(() => void startHls(), 5000);
    });
    video.onplaying = () => {
      if (stopped) return;
      el.dataset.mode = "hls";
      video.hidden = false;
      img.hidden = true;
      clearTimeout(pollTimer);
      img.onerror = null;
      img.removeAttribute("src"); // closes the MJPEG connection: one stream per tile
      redraw();
    };
    player.loadSource(url);
    player.attachMedia(video);
  }

  // ---------------------------------------------------------------- overlay: websocket, polling fallback

  async function pollOverlay(): Promise<void> {
    if (stopped || socket) return;
    if (opts.boxes || opts.geometry) {
      try {
        overlay = parseOverlay(await api<Record<string, unknown>>(`${base()}/overlay`));
        el.dataset.overlayTs = String(overlay.timestamp ?? "");
        el.dataset.overlayVia = "poll";
        redraw();
      } catch {
        overlay = null;
      }
    }
    overlayTimer = window.setTimeout(pollOverlay, OVERLAY_MS);
  }

  function connectOverlay(): void {
    if (stopped) return;
    const proto = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${proto}://${location.host}/api/ws/overlay/${encodeURIComponent(cam.id)}`);
    let opened = false;
    ws.onopen = () => {
      opened = true;
      socket = ws;
      clearTimeout(overlayTimer);
    };
    ws.onmessage = (msg) => {
      if (!opts.boxes && !opts.geometry) return;
      overlay = parseOverlay(JSON.parse(String(msg.data)) as Record<string, unknown>);
      el.dataset.overlayTs = String(overlay.timestamp ?? "");
      el.dataset.overlayVia = "ws";
      redraw();
    };
    ws.onclose = () => {
      if (socket === ws) socket = null;
      if (stopped) return;
      // Never opened (no such route, proxy without websockets) or dropped: poll, and try again later.
      void pollOverlay();
      wsTimer = window.setTimeout(connectOverlay, opened ? 1000 : WS_RETRY_MS);
    };
  }

  startPicture();
  if (hlsRoute) void startHls();
  if (overlayRoute) connectOverlay();
  video.addEventListener("loadedmetadata", redraw);

  return {
    el,
    img,
    video,
    setCamera(next) {
      cam = next;
      redraw();
    },
    setOptions(next) {
      const streamChanged = mjpeg && !overlayRoute && next.boxes !== opts.boxes && el.dataset.mode === "mjpeg";
      opts = next;
      if (streamChanged) startStream();
      redraw();
    },
    lastOverlay: () => overlay,
    stop() {
      stopped = true;
      clearTimeout(pollTimer);
      clearTimeout(overlayTimer);
      clearTimeout(wsTimer);
      socket?.close();
      hls?.destroy();
      img.onerror = null;
      img.removeAttribute("src"); // closes an MJPEG connection
      video.removeAttribute("src");
    },
  };
}
