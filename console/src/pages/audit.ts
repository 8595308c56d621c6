// The audit log (auditor only): entries a page at a time, and "verify chain" (SM3 hash chain + SM2
// checkpoints) listing every problem the server finds.

import { api, ApiError, has } from "../api";
import { fill, fmtTime, h } from "../dom";
import { t } from "../i18n";

interface Entry {
  seq: number;
  time: number;
  actor: string;
  action: string;
  target: string;
  detail: Record<string, unknown>;
  hash: string;
}
interface Verify {
  ok: boolean;
  problems: { kind: string; message: string; seq: number | null }[];
}

const LIMIT = 100;

export async function auditPage(root: HTMLElement): Promise<void> {
  let start = 1;
  const table = h("tbody");
  const pos = h("span", { class: "muted", id: "audit-range" });
  const result = h("div", { id: "verify-result" });
  const jump = h("input", { type: "number", min: "1", name: "start", placeholder: "seq", style: { width: "90px" } });
  const prev = h("button", { class: "small", onclick: () => void load(Math.max(1, start - LIMIT)) }, "◀");
  const next = h("button", { class: "small", onclick: () => void load(start + LIMIT) }, "▶");

  async function load(from: number): Promise<void> {
    const entries = await api<Entry[]>(`/api/audit?start=${from}&limit=${LIMIT}`);
    start = from;
    prev.disabled = start <= 1;
    next.disabled = entries.length < LIMIT;
    pos.textContent = entries.length ? `#${entries[0].seq} – #${entries[entries.length - 1].seq}` : t("no_entries");
    table.replaceChildren(
      ...entries.map((e) =>
        h(
          "tr",
          { "data-seq": e.seq },
          h("td", { class: "num" }, String(e.seq)),
          h("td", null, fmtTime(e.time)),
          h("td", null, e.actor),
          h("td", null, h("b", null, e.action)),
          h("td", null, e.target),
          h("td", { class: "mono detail-json" }, Object.keys(e.detail ?? {}).length ? JSON.stringify(e.detail) : ""),
          h("td", { class: "mono muted", title: e.hash }, e.hash.slice(0, 10)),
        ),
      ),
    );
  }

  async function verify(): Promise<void> {
    result.replaceChildren(h("span", { class: "muted" }, t("verifying")));
    try {
      const v = await api<Verify>("/api/audit/verify");
      fill(result,
        h("span", { class: `badge ${v.ok ? "ok" : "bad"}`, "data-ok": String(v.ok) }, v.ok ? t("chain_ok") : `${t("chain_bad")} (${v.problems.length})`),
        v.problems.length
          ? h(
              "ul",
              { class: "problems" },
              v.problems.map((p) => h("li", null, h("b", null, p.kind), p.seq !== null ? ` #${p.seq}` : "", ` — ${p.message}`)),
            )
          : null,
      );
    } catch (err) {
      result.replaceChildren(h("span", { class: "error" }, err instanceof ApiError ? err.message : String(err)));
    }
  }

  root.append(
    h(
      "div",
      { class: "toolbar" },
      h("h2", null, t("audit")),
      prev,
      pos,
      next,
      h("form", { class: "row", onsubmit: (e: Event) => (e.preventDefault(), void load(Math.max(1, Number(jump.value) || 1))) }, jump, h("button", { class: "small", type: "submit" }, t("go"))),
      h("span", { class: "spacer" }),
      has("/api/audit/verify") ? h("button", { class: "primary", id: "verify", onclick: () => void verify() }, t("verify_chain")) : null,
    ),
    result,
    h(
      "table",
      { class: "table", id: "audit-table" },
      h("thead", null, h("tr", null, ["#", t("time"), t("actor"), t("action"), t("target"), t("detail"), "SM3"].map((x) => h("th", null, x)))),
      table,
    ),
  );
  await load(1);
}
