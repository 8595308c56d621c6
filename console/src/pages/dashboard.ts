// Dashboard: events per hour by camera and class (from /api/stats), people in zones now, line counts, heatmaps.

import { api, has, type Camera } from "../api";
import { fmtTime, h } from "../dom";
import { t } from "../i18n";

interface Stats {
  generated_at: number;
  since: number;
  events_per_hour: { camera_id: string; object_class: string | null; hour: number; count: number }[];
  rules: Record<string, { zones?: Record<string, Record<string, number>>; lines?: Record<string, { line: string; in: Record<string, number>; out: Record<string, number> }> }>;
}

const PALETTE = ["#3ea6ff", "#ff5d5d", "#3ecf8e", "#ffc400", "#b07cff", "#ff8a3d", "#7ad3ff", "#e86fb5"];

function chart(stats: Stats, key: "camera_id" | "object_class"): HTMLElement {
  const hours: number[] = [];
  for (let hr = Math.floor(stats.since / 3600) * 3600; hr <= stats.generated_at; hr += 3600) hours.push(hr);
  const series = [...new Set(stats.events_per_hour.map((r) => r[key] ?? "—"))];
  const counts = new Map<string, number>();
  for (const r of stats.events_per_hour) {
    const k = `${r.hour}|${r[key] ?? "—"}`;
    counts.set(k, (counts.get(k) ?? 0) + r.count);
  }
  const totals = hours.map((hr) => series.reduce((s, name) => s + (counts.get(`${hr}|${name}`) ?? 0), 0));
  const max = Math.max(1, ...totals);
  const W = 720;
  const H = 160;
  const bw = W / Math.max(1, hours.length);
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${W} ${H + 18}`);
  svg.setAttribute("class", "chart");
  hours.forEach((hr, i) => {
    let y = H;
    series.forEach((name, si) => {
      const c = counts.get(`${hr}|${name}`) ?? 0;
      if (!c) return;
      const bh = (c / max) * (H - 10);
      y -= bh;
      const rect = document.createElementNS(ns, "rect");
      rect.setAttribute("x", String(i * bw + 1));
      rect.setAttribute("y", String(y));
      rect.setAttribute("width", String(Math.max(1, bw - 2)));
      rect.setAttribute("height", String(bh));
      rect.setAttribute("fill", PALETTE[si % PALETTE.length]);
      const title = document.createElementNS(ns, "title");
      title.textContent = `${fmtTime(hr)} ${name}: ${c}`;
      rect.append(title);
      svg.append(rect);
    });
    if (i % 4 === 0) {
      const txt = document.createElementNS(ns, "text");
      txt.setAttribute("x", String(i * bw));
      txt.setAttribute("y", String(H + 14));
      txt.setAttribute("class", "axis");
      txt.textContent = new Date(hr * 1000).toTimeString().slice(0, 5);
      svg.append(txt);
    }
  });
  return h(
    "div",
    { class: "card chart-card" },
    h("h3", null, `${t("per_hour")} · ${t(key === "camera_id" ? "by_camera" : "by_class")}`),
    svg as unknown as HTMLElement,
    h("div", { class: "legend" }, series.map((name, si) => h("span", null, h("i", { style: { background: PALETTE[si % PALETTE.length] } }), name))),
  );
}

export async function dashboardPage(root: HTMLElement): Promise<() => void> {
  const body = h("div", { class: "dash" });
  root.append(h("div", { class: "toolbar" }, h("h2", null, t("dashboard"))), body);
  const cams = await api<Camera[]>("/api/cameras");
  const heatmaps = has("/api/cameras/{camera_id}/heatmap.png");

  async function refresh(): Promise<void> {
    const stats = await api<Stats>("/api/stats?hours=24");
    const zoneRows: HTMLElement[] = [];
    const lineRows: HTMLElement[] = [];
    for (const [cid, rs] of Object.entries(stats.rules)) {
      for (const [zone, per] of Object.entries(rs.zones ?? {})) {
        zoneRows.push(h("tr", null, h("td", null, cid), h("td", null, zone), h("td", { class: "num", "data-zone": zone }, String(Object.values(per).reduce((a, b) => a + b, 0)))));
      }
      for (const [rule, s] of Object.entries(rs.lines ?? {})) {
        const sum = (o: Record<string, number>) => Object.values(o ?? {}).reduce((a, b) => a + b, 0);
        lineRows.push(h("tr", null, h("td", null, cid), h("td", null, `${rule} (${s.line})`), h("td", { class: "num" }, String(sum(s.in))), h("td", { class: "num" }, String(sum(s.out)))));
      }
    }
    body.replaceChildren(
      h("div", { class: "dash-charts" }, chart(stats, "camera_id"), chart(stats, "object_class")),
      h(
        "div",
        { class: "dash-tables" },
        h("div", { class: "card" }, h("h3", null, t("in_zones")), zoneRows.length ? h("table", { class: "table", id: "zone-occupancy" }, h("tbody", null, zoneRows)) : h("p", { class: "muted" }, t("no_data"))),
        h(
          "div",
          { class: "card" },
          h("h3", null, t("line_counts")),
          lineRows.length ? h("table", { class: "table" }, h("thead", null, h("tr", null, h("th"), h("th"), h("th", null, t("in")), h("th", null, t("out")))), h("tbody", null, lineRows)) : h("p", { class: "muted" }, t("no_data")),
        ),
      ),
      heatmaps
        ? h(
            "div",
            { class: "heatmaps" },
            cams.map((c) => h("figure", { class: "card" }, h("img", { class: "heatmap", src: `/api/cameras/${encodeURIComponent(c.id)}/heatmap.png?t=${Date.now()}`, alt: t("heatmap") }), h("figcaption", null, `${t("heatmap")} · ${c.name || c.id}`))),
          )
        : "",
    );
  }
  await refresh();
  const timer = window.setInterval(() => void refresh().catch(() => {}), 10000);
  return () => clearInterval(timer);
}
