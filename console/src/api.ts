// Every call to the API goes through here: one place turns 401 into the login page and 422 into a field message.

export class ApiError extends Error {
  constructor(
    public status: number,
    message: string,
    public field: string | null = null,
  ) {
    super(message);
  }
}

let onUnauthorized: () => void = () => {};
export function setUnauthorizedHandler(fn: () => void): void {
  onUnauthorized = fn;
}

function messageOf(status: number, body: unknown): { message: string; field: string | null } {
  if (body && typeof body === "object") {
    const b = body as { message?: string; detail?: unknown };
    if (Array.isArray(b.detail) && b.detail.length) {
      const first = b.detail[0] as { field?: string; msg?: string };
      return { message: b.message ?? `${first.field}: ${first.msg}`, field: first.field ?? null };
    }
    if (typeof b.detail === "string") {
      const m = /^([\w.]+): /.exec(b.detail);
      return { message: b.detail, field: m ? m[1] : null };
    }
    if (b.message) return { message: b.message, field: null };
  }
  return { message: `HTTP ${status}`, field: null };
}

// The CSRF token the server set at login (a readable cookie); echoed on every unsafe request.
function csrfToken(): string | null {
  const m = /(?:^|;\s*)anfang_csrf=([^;]*)/.exec(document.cookie);
  return m ? decodeURIComponent(m[1]) : null;
}

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export async function api<T = unknown>(path: string, init: RequestInit & { json?: unknown } = {}): Promise<T> {
  const { json, ...rest } = init;
  const opts: RequestInit = { credentials: "same-origin", ...rest };
  const headers: Record<string, string> = { ...((rest.headers as Record<string, string> | undefined) ?? {}) };
  if (json !== undefined) {
    opts.body = JSON.stringify(json);
    headers["Content-Type"] = "application/json";
  }
  const token = csrfToken();
  if (token && UNSAFE.has((rest.method ?? "GET").toUpperCase())) headers["X-CSRF-Token"] = token;
  opts.headers = headers;
  const res = await fetch(path, opts);
  if (res.status === 401) {
    onUnauthorized();
    throw new ApiError(401, "unauthorized");
  }
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  if (!res.ok) {
    const { message, field } = messageOf(res.status, body);
    throw new ApiError(res.status, message, field);
  }
  return body as T;
}

// Which optional routes the server has (recording, live MJPEG, overlay, auth...), read once from OpenAPI,
// so the console degrades instead of showing broken players when a feature is not installed.
let routes: Set<string> | null = null;
export async function loadRoutes(): Promise<void> {
  try {
    const res = await fetch("/openapi.json", { credentials: "same-origin" });
    routes = res.ok ? new Set(Object.keys(((await res.json()) as { paths: object }).paths)) : new Set();
  } catch {
    routes = new Set();
  }
}
export function has(path: string): boolean {
  return routes?.has(path) ?? false;
}

// ------------------------------------------------------------------ shapes (see /openapi.json)

export interface Point2 extends Array<number> {}
export interface Zone {
  name: string;
  points: [number, number][];
}
export interface Line {
  name: string;
  a: [number, number];
  b: [number, number];
}
export interface Rule {
  name: string;
  type: string;
  zone?: string;
  line?: string;
  direction?: string;
  classes?: string[];
  min_frames?: number;
  min_seconds?: number;
  min_count?: number;
  enabled?: boolean;
  [k: string]: unknown;
}
export interface CameraConfig {
  id: string;
  name?: string | null;
  enabled?: boolean;
  source: { type: string; path?: string; url?: string; loop?: boolean; realtime?: boolean; [k: string]: unknown };
  detect_fps?: number;
  zones: Zone[];
  lines: Line[];
  rules: Rule[];
  [k: string]: unknown;
}
export interface CameraStatus {
  camera_id: string;
  state: string;
  fps_in?: number | null;
  fps_out?: number | null;
  frames_in?: number | null;
  events?: number | null;
  last_error?: string | null;
  last_frame_at?: number | null;
  [k: string]: unknown;
}
export interface Camera {
  id: string;
  name: string | null;
  origin: string;
  config: CameraConfig;
  status: CameraStatus | null;
}
export interface EventItem {
  id: string;
  camera_id: string;
  rule: string;
  type: string;
  object_class: string | null;
  track_id: number | null;
  start_time: number;
  end_time: number | null;
  box: number[] | null;
  score: number | null;
  attributes: Record<string, unknown>;
  acknowledged?: boolean;
  ack_time?: number | null;
  has_snapshot?: boolean;
  has_crop?: boolean;
  ack_status?: string | null;
  ack_note?: string | null;
}
export interface EventPage {
  items: EventItem[];
  total: number;
  limit: number;
  offset: number;
}
