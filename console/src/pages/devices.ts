// GB/T 28181 devices: registered cameras/NVRs with online state and last keepalive, their channels, Catalog
// re-query, and a PTZ pad per video channel (hold a direction to move, release to stop) for operators.

import { api, ApiError, has } from "../api";
import { canWrite } from "../app";
import { fmtTime, h } from "../dom";
import { t } from "../i18n";

interface Channel {
  channel_id: string;
  name: string | null;
  parent_id: string | null;
  status: string | null;
  video: boolean;
}
interface Device {
  device_id: string;
  online: boolean;
  transport: string;
  address: string;
  registered_at: number | null;
  last_keepalive: number | null;
  info: Record<string, string>;
  channels: Channel[];
}

const PTZ: [cmd: string, label: string][] = [
  ["up", "▲"],
  ["left", "◀"],
  ["stop", "■"],
  ["right", "▶"],
  ["down", "▼"],
  ["zoom_in", "＋"],
  ["zoom_out", "－"],
];

function ago(epoch: number | null): string {
  if (!epoch) return "—";
  const s = Math.max(0, Math.round(Date.now() / 1000 - epoch));
  return `${fmtTime(epoch)} (${s < 120 ? `${s} s` : `${Math.round(s / 60)} min`} ${t("ago")})`;
}

export async function devicesPage(root: HTMLElement): Promise<() => void> {
  const body = h("div", { class: "devices", id: "devices" });
  const msg = h("p", { class: "message", id: "devices-message" });
  const speed = h("input", { type: "range", min: "16", max: "255", value: "128", name: "speed" });
  const writer = canWrite() && has("/api/devices/{device_id}/channels/{channel_id}/ptz");
  root.append(
    h("div", { class: "toolbar" }, h("h2", null, t("devices")), h("span", { class: "muted" }, "GB/T 28181"), h("span", { class: "spacer" }), writer ? h("label", { class: "toggle" }, t("ptz_speed"), speed) : null, msg),
    body,
  );
  const say = (text: string, ok = false) => {
    msg.textContent = text;
    msg.className = `message ${ok ? "ok" : "error"}`;
  };

  async function ptz(dev: string, ch: string, command: string): Promise<void> {
    try {
      await api(`/api/devices/${encodeURIComponent(dev)}/channels/${encodeURIComponent(ch)}/ptz`, { method: "POST", json: { command, speed: Number(speed.value) } });
      say(`${t("ptz")} ${t(`ptz_${command}`)} → ${ch}`, true);
    } catch (err) {
      say(err instanceof ApiError ? err.message : String(err));
    }
  }

  function pad(dev: Device, ch: Channel): HTMLElement {
    return h(
      "div",
      { class: "ptz", "data-channel": ch.channel_id },
      PTZ.map(([cmd, label]) => {
        const b = h("button", { class: `small ptz-${cmd}`, "data-ptz": cmd, title: t(`ptz_${cmd}`), disabled: !dev.online }, label);
        if (cmd === "stop") b.onclick = () => void ptz(dev.device_id, ch.channel_id, "stop");
        else {
          // Hold to move: the command on press, stop on release (devices keep moving until told to stop).
          let moving = false;
          b.onpointerdown = () => {
            moving = true;
            void ptz(dev.device_id, ch.channel_id, cmd);
          };
          const release = () => {
            if (!moving) return;
            moving = false;
            void ptz(dev.device_id, ch.channel_id, "stop");
          };
          b.onpointerup = release;
          b.onpointerleave = release;
        }
        return b;
      }),
    );
  }

  function deviceCard(d: Device): HTMLElement {
    const info = Object.entries(d.info ?? {})
      .filter(([, v]) => v)
      .map(([k, v]) => `${k}: ${v}`)
      .join(" · ");
    return h(
      "div",
      { class: "card device", "data-device": d.device_id, "data-online": String(d.online) },
      h(
        "div",
        { class: "row" },
        h("b", { class: "mono" }, d.device_id),
        h("span", { class: `badge ${d.online ? "state-online" : "state-offline"}` }, t(d.online ? "online" : "offline")),
        h("span", { class: "muted" }, `${d.transport.toUpperCase()} ${d.address}`),
        h("span", { class: "spacer" }),
        has("/api/devices/{device_id}/catalog")
          ? h("button", {
              class: "small",
              "data-catalog": d.device_id,
              onclick: async () => {
                try {
                  await api(`/api/devices/${encodeURIComponent(d.device_id)}/catalog`, { method: "POST" });
                  say(t("catalog_done"), true);
                  await refresh();
                } catch (err) {
                  say(err instanceof ApiError ? err.message : String(err));
                }
              },
            }, t("query_catalog"))
          : null,
      ),
      h("div", { class: "muted" }, `${t("registered")} ${fmtTime(d.registered_at)} · ${t("keepalive")} ${ago(d.last_keepalive)}`),
      info ? h("div", { class: "muted mono" }, info) : null,
      h(
        "table",
        { class: "table channels" },
        h("thead", null, h("tr", null, [t("channel"), t("name"), t("state"), t("video"), writer ? t("ptz") : ""].map((x) => h("th", null, x)))),
        h(
          "tbody",
          null,
          d.channels.map((c) =>
            h(
              "tr",
              null,
              h("td", { class: "mono" }, c.channel_id),
              h("td", null, c.name ?? "—"),
              h("td", { class: c.status === "ON" ? "state-online" : "state-offline" }, c.status ?? "—"),
              h("td", null, c.video ? "✓" : ""),
              h("td", null, writer && c.video ? pad(d, c) : null),
            ),
          ),
        ),
      ),
      d.channels.length ? null : h("p", { class: "muted" }, t("no_channels")),
    );
  }

  async function refresh(): Promise<void> {
    try {
      const devices = await api<Device[]>("/api/devices");
      body.replaceChildren(...devices.map(deviceCard));
      if (!devices.length) body.append(h("p", { class: "muted", id: "no-devices" }, t("no_devices")));
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) throw err;
      body.replaceChildren(h("p", { class: "muted", id: "no-devices" }, err instanceof ApiError && err.status === 503 ? t("gb_disabled") : String((err as Error).message)));
    }
  }
  await refresh();
  const timer = window.setInterval(() => {
    if (!document.querySelector(".ptz button:active")) void refresh().catch(() => {});
  }, 10_000);
  return () => clearInterval(timer);
}
