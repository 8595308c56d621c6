// Draws detections (boxes, track ids, classes), zones and lines on a canvas laid over a video tile or frame.

import type { Line, Zone } from "./api";

export interface OverlayBox {
  box: number[];
  track_id?: number | null;
  cls?: string | null;
  score?: number | null;
}

export interface Overlay {
  width: number;
  height: number;
  timestamp: number | null;
  boxes: OverlayBox[];
  zones: Zone[];
  lines: Line[];
}

/** Reads the live back end's overlay JSON, tolerating the field spellings it may use. */
export function parseOverlay(raw: Record<string, unknown>): Overlay {
  const size = (raw.frame_size ?? raw.size ?? raw.frame) as number[] | Record<string, number> | undefined;
  let width = Number(raw.width ?? 0);
  let height = Number(raw.height ?? 0);
  if (Array.isArray(size)) [width, height] = size;
  else if (size && typeof size === "object") {
    width = Number(size.width ?? size.w ?? width);
    height = Number(size.height ?? size.h ?? height);
  }
  const items = (raw.boxes ?? raw.detections ?? raw.objects ?? []) as Record<string, unknown>[];
  const boxes = items.map((d) => ({
    box: (d.box ?? d.xyxy ?? d.bbox ?? [0, 0, 0, 0]) as number[],
    track_id: (d.track_id ?? d.track ?? null) as number | null,
    cls: (d.object_class ?? d.class_name ?? d.class ?? d.label ?? null) as string | null,
    score: (d.score ?? d.confidence ?? null) as number | null,
  }));
  const ts = raw.timestamp ?? raw.frame_time ?? raw.time ?? null;
  return {
    width,
    height,
    timestamp: ts === null ? null : Number(ts),
    boxes,
    zones: (raw.zones ?? []) as Zone[],
    lines: (raw.lines ?? []) as Line[],
  };
}

const ZONE = "rgba(62,166,255,0.9)";
const ZONE_FILL = "rgba(62,166,255,0.15)";
const LINE = "rgba(255,196,0,0.95)";

function trackColour(id: number | null | undefined): string {
  if (id === null || id === undefined || id < 0) return "#3ecf8e";
  return `hsl(${(id * 67) % 360} 90% 55%)`;
}

/** Sizes the canvas to the frame and clears it; drawing then uses frame pixel coordinates. */
export function prepare(canvas: HTMLCanvasElement, width: number, height: number): CanvasRenderingContext2D {
  if (width && height && (canvas.width !== width || canvas.height !== height)) {
    canvas.width = width;
    canvas.height = height;
  }
  const ctx = canvas.getContext("2d")!;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  return ctx;
}

export function drawZones(ctx: CanvasRenderingContext2D, zones: Zone[], highlight = -1): void {
  const px = Math.max(1.5, ctx.canvas.width / 400);
  zones.forEach((z, i) => {
    if (!z.points.length) return;
    ctx.beginPath();
    z.points.forEach(([x, y], j) => (j ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
    ctx.closePath();
    ctx.fillStyle = i === highlight ? "rgba(255,93,93,0.25)" : ZONE_FILL;
    ctx.fill();
    ctx.lineWidth = px;
    ctx.strokeStyle = i === highlight ? "#ff5d5d" : ZONE;
    ctx.stroke();
    label(ctx, z.name, z.points[0][0], z.points[0][1], ZONE);
  });
}

export function drawLines(ctx: CanvasRenderingContext2D, lines: Line[]): void {
  const px = Math.max(2, ctx.canvas.width / 300);
  for (const l of lines) {
    const [ax, ay] = l.a;
    const [bx, by] = l.b;
    ctx.beginPath();
    ctx.moveTo(ax, ay);
    ctx.lineTo(bx, by);
    ctx.lineWidth = px;
    ctx.strokeStyle = LINE;
    ctx.stroke();
    // The "in" side: a_to_b crossing direction, drawn as an arrow on the line's normal.
    const mx = (ax + bx) / 2;
    const my = (ay + by) / 2;
    const len = Math.hypot(bx - ax, by - ay) || 1;
    const nx = (by - ay) / len;
    const ny = -(bx - ax) / len;
    const s = px * 8;
    ctx.beginPath();
    ctx.moveTo(mx, my);
    ctx.lineTo(mx + nx * s, my + ny * s);
    ctx.stroke();
    ctx.fillStyle = LINE;
    ctx.beginPath();
    ctx.arc(mx + nx * s, my + ny * s, px * 1.5, 0, Math.PI * 2);
    ctx.fill();
    label(ctx, `${l.name} A`, ax, ay, LINE);
    label(ctx, "B", bx, by, LINE);
  }
}

export function drawBoxes(ctx: CanvasRenderingContext2D, boxes: OverlayBox[]): void {
  const px = Math.max(1.5, ctx.canvas.width / 400);
  for (const b of boxes) {
    const [x1, y1, x2, y2] = b.box;
    const colour = trackColour(b.track_id);
    ctx.lineWidth = px;
    ctx.strokeStyle = colour;
    ctx.strokeRect(x1, y1, x2 - x1, y2 - y1);
    const text = [b.track_id !== null && b.track_id !== undefined && b.track_id >= 0 ? `#${b.track_id}` : "", b.cls ?? ""]
      .filter(Boolean)
      .join(" ");
    if (text) label(ctx, text, x1, y1, colour);
  }
}

function label(ctx: CanvasRenderingContext2D, text: string, x: number, y: number, colour: string): void {
  const size = Math.max(11, Math.round(ctx.canvas.width / 55));
  ctx.font = `${size}px system-ui, sans-serif`;
  const w = ctx.measureText(text).width + 6;
  const top = Math.max(0, y - size - 4);
  ctx.fillStyle = "rgba(0,0,0,0.6)";
  ctx.fillRect(x, top, w, size + 4);
  ctx.fillStyle = colour;
  ctx.fillText(text, x + 3, top + size);
}
