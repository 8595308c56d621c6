// Shared app state: the live event socket and the signed-in user.

import { api, type EventItem } from "./api";

type Listener = (ev: EventItem) => void;
const listeners = new Set<Listener>();
let socket: WebSocket | null = null;
let retryMs = 1000;

/** Calls ``fn`` for every event the server pushes; returns the unsubscribe function. */
export function onLiveEvent(fn: Listener): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function connectEvents(): void {
  if (socket && socket.readyState <= WebSocket.OPEN) return;
  const proto = location.protocol === "https:" ? "wss" : "ws";
  const ws = new WebSocket(`${proto}://${location.host}/api/ws/events`);
  socket = ws;
  ws.onopen = () => {
    retryMs = 1000;
    document.body.dataset.ws = "open";
  };
  ws.onmessage = (msg) => {
    const ev = JSON.parse(msg.data as string) as EventItem;
    ev.has_snapshot ??= Boolean((ev as unknown as { snapshot_path?: string }).snapshot_path);
    ev.has_crop ??= Boolean((ev as unknown as { crop_path?: string }).crop_path);
    listeners.forEach((fn) => fn(ev));
  };
  ws.onclose = () => {
    document.body.dataset.ws = "closed";
    if (socket !== ws) return;
    socket = null;
    window.setTimeout(connectEvents, retryMs);
    retryMs = Math.min(retryMs * 2, 15000);
  };
}

export function disconnectEvents(): void {
  const ws = socket;
  socket = null;
  ws?.close();
}

export const session: { user: string | null; authEnabled: boolean; role: string | null; seeIdentities: boolean } = {
  user: null,
  authEnabled: false,
  role: null,
  seeIdentities: false,
};

/** Reads who is signed in (role, see_identities) so pages and the navigation match what the API allows. */
export async function loadMe(): Promise<{ username?: string; must_change_password?: boolean; role?: string } | null> {
  const me = await api<{ username?: string; name?: string; role?: string; see_identities?: boolean; must_change_password?: boolean }>("/api/auth/me");
  session.user = me.username ?? me.name ?? "user";
  session.role = me.role ?? null;
  session.seeIdentities = Boolean(me.see_identities);
  return me;
}

/** Roles that may change things (watchlists, PTZ). Without sign-in (no auth feature) everything is allowed. */
export function canWrite(): boolean {
  return !session.authEnabled || session.role === "admin" || session.role === "operator";
}

