// Acknowledge / false-alarm buttons for an event (POST /api/events/{id}/ack).

import { api, has, type EventItem } from "./api";
import { h } from "./dom";
import { t } from "./i18n";

export function ackState(ev: EventItem): string | null {
  const ack = ev.attributes?.ack as { status?: string } | undefined;
  return ev.ack_status ?? ack?.status ?? (ev.acknowledged ? "acknowledged" : null);
}

export function ackControls(ev: EventItem, onDone: (ev: EventItem) => void, withNote = false): HTMLElement {
  const box = h("span", { class: "ack" });
  const state = ackState(ev);
  if (state) {
    box.append(h("span", { class: `badge ack-${state}` }, t(state)));
    return box;
  }
  if (!has("/api/events/{event_id}/ack")) return box;
  const note = withNote ? h("input", { class: "note", placeholder: t("note"), name: "note" }) : null;
  const send = async (status: string) => {
    const updated = await api<EventItem>(`/api/events/${encodeURIComponent(ev.id)}/ack`, {
      method: "POST",
      json: { status, note: note?.value || null },
    });
    onDone(updated);
  };
  box.append(
    note ?? "",
    h("button", { class: "small", "data-ack": "acknowledged", onclick: (e: Event) => (e.stopPropagation(), void send("acknowledged")) }, t("acknowledge")),
    h("button", { class: "small warn", "data-ack": "false_alarm", onclick: (e: Event) => (e.stopPropagation(), void send("false_alarm")) }, t("false_alarm")),
  );
  return box;
}
