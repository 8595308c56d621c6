// System: host CPU, memory, disk of the data and recordings folders, and each camera pipeline's rate.

import { api, has, type Camera } from "../api";
import { fmtBytes, fmtTime, h } from "../dom";
import { t } from "../i18n";

interface Usage {
  path: string;
  total: number;
  used: number;
  free: number;
  percent: number;
  size?: number | null;
}
interface Storage {
  level: string;
  state: string;
  severity: string;
  free: number;
  paused: string[];
  backlog: number;
}
interface SystemInfo {
  version: string;
  uptime_s: number | null;
  cpu_percent: number;
  cpu_count: number;
  load_avg: number[] | null;
  memory: { total: number; used: number; percent: number; process_rss: number };
  disks: Record<string, Usage>;
  storage?: Storage;
}

function bar(percent: number): HTMLElement {
  return h("div", { class: "meter" }, h("i", { style: { width: `${Math.min(100, percent)}%`, background: percent > 90 ? "var(--alarm)" : "var(--accent)" } }));
}

export async function systemPage(root: HTMLElement): Promise<() => void> {
  const body = h("div", { class: "system" });
  root.append(h("div", { class: "toolbar" }, h("h2", null, t("system"))), body);

  async function refresh(): Promise<void> {
    const cams = await api<Camera[]>("/api/cameras");
    const info = has("/api/system") ? await api<SystemInfo>("/api/system") : null;
    const cards: HTMLElement[] = [];
    if (info) {
      cards.push(
        h("div", { class: "card metric", id: "cpu" }, h("h3", null, t("cpu")), h("div", { class: "big" }, `${info.cpu_percent.toFixed(0)}%`), bar(info.cpu_percent), h("div", { class: "muted" }, `${info.cpu_count} cores${info.load_avg ? ` · load ${info.load_avg.map((x) => x.toFixed(2)).join(" ")}` : ""}`)),
        h("div", { class: "card metric", id: "memory" }, h("h3", null, t("memory")), h("div", { class: "big" }, `${info.memory.percent.toFixed(0)}%`), bar(info.memory.percent), h("div", { class: "muted" }, `${fmtBytes(info.memory.used)} / ${fmtBytes(info.memory.total)} · anfang ${fmtBytes(info.memory.process_rss)}`)),
        ...(info.storage
          ? [h("div", { class: "card metric", id: "storage", "data-level": info.storage.level }, h("h3", null, t("storage")), h("div", { class: info.storage.level === "ok" ? "big" : "big error" }, info.storage.state), h("div", { class: "muted" }, `${fmtBytes(info.storage.free)} free${info.storage.paused.length ? ` · paused: ${info.storage.paused.join(", ")}` : ""}${info.storage.backlog ? ` · ${info.storage.backlog} events waiting` : ""}`))]
          : []),
        ...Object.entries(info.disks).map(([name, d]) =>
          h("div", { class: "card metric", "data-disk": name }, h("h3", null, `${t("disk")} · ${t(name)}`), h("div", { class: "big" }, `${d.percent.toFixed(0)}%`), bar(d.percent), h("div", { class: "muted mono" }, d.path), h("div", { class: "muted" }, `${fmtBytes(d.size)} · ${fmtBytes(d.free)} free / ${fmtBytes(d.total)}`)),
        ),
      );
    }
    body.replaceChildren(
      h("div", { class: "metrics" }, cards, info ? h("div", { class: "card metric" }, h("h3", null, t("uptime")), h("div", { class: "big" }, info.uptime_s ? `${Math.floor(info.uptime_s / 3600)}h ${Math.floor((info.uptime_s % 3600) / 60)}m` : "—"), h("div", { class: "muted" }, `anfang ${info.version}`)) : null),
      h(
        "div",
        { class: "card" },
        h("h3", null, t("pipeline")),
        h(
          "table",
          { class: "table", id: "pipelines" },
          h("thead", null, h("tr", null, [t("camera"), t("state"), `in ${t("fps")}`, `out ${t("fps")}`, t("frames"), t("events"), t("last_error"), t("time")].map((x) => h("th", null, x)))),
          h(
            "tbody",
            null,
            cams.map((c) => {
              const s = c.status;
              return h(
                "tr",
                null,
                h("td", null, c.name || c.id),
                h("td", { class: `state-${s?.state ?? "unknown"}` }, t(s?.state ?? "unknown")),
                h("td", { class: "num" }, s?.fps_in?.toFixed(1) ?? "—"),
                h("td", { class: "num" }, s?.fps_out?.toFixed(1) ?? "—"),
                h("td", { class: "num" }, String(s?.frames_in ?? "—")),
                h("td", { class: "num" }, String(s?.events ?? "—")),
                h("td", { class: "error" }, s?.last_error ?? ""),
                h("td", null, fmtTime(s?.last_frame_at)),
              );
            }),
          ),
        ),
      ),
    );
  }
  await refresh();
  const timer = window.setInterval(() => void refresh().catch(() => {}), 3000);
  return () => clearInterval(timer);
}
