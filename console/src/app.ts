// Shared app state: the live event socket and the signed-in user.

import type { EventItem } from "./api";

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

export const session: { user: string | null; authEnabled: boolean } = { user: null, authEnabled: false };
