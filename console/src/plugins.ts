// The server's plug-ins (GET /api/plugins): source, detector, rule and sink types, each with a title in
// Chinese and English and its config's JSON schema. Menus and rule/source forms are built from this, so a
// plug-in added on the server shows up here with no console change.

import { api } from "./api";
import { addLabels } from "./i18n";

export interface PropSchema {
  type?: string;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  examples?: unknown[];
  title?: string;
  anyOf?: PropSchema[];
  $ref?: string;
  items?: PropSchema;
  minimum?: number;
  exclusiveMinimum?: number;
  [k: string]: unknown;
}
export interface ConfigSchema {
  properties: Record<string, PropSchema>;
  required?: string[];
  $defs?: Record<string, PropSchema>;
}
export interface PluginInfo {
  type: string;
  title: { en: string; zh: string };
  schema: ConfigSchema;
}
export type Kind = "source" | "detector" | "rule" | "sink";
export type Plugins = Record<Kind, Record<string, PluginInfo>>;

const EMPTY: Plugins = { source: {}, detector: {}, rule: {}, sink: {} };
let loaded: Plugins | null = null;

/** Fetch the plug-ins once (after sign-in); their titles become labels of ``t(type)``. */
export async function loadPlugins(): Promise<Plugins> {
  if (loaded) return loaded;
  try {
    const p = await api<Plugins>("/api/plugins");
    const en: Record<string, string> = {};
    const zh: Record<string, string> = {};
    for (const kind of Object.keys(p) as Kind[])
      for (const info of Object.values(p[kind])) {
        en[info.type] = info.title.en;
        zh[info.type] = info.title.zh;
      }
    addLabels(en, zh);
    loaded = p;
    return p;
  } catch {
    return EMPTY; // not signed in yet, or an older server: retried on the next page
  }
}

export function plugins(): Plugins {
  return loaded ?? EMPTY;
}

export function types(kind: Kind): string[] {
  return Object.keys(plugins()[kind]);
}

/** Which camera geometry a rule type refers to (its config has a ``zone`` or a ``line`` field). */
export function ruleRef(type: string): "zone" | "line" | null {
  const props = plugins().rule[type]?.schema.properties ?? {};
  return "zone" in props ? "zone" : "line" in props ? "line" : null;
}

/** A property's own schema: ``$ref`` resolved, ``X | None`` reduced to X. */
export function resolve(schema: ConfigSchema, prop: PropSchema): PropSchema {
  let p = prop;
  if (p.anyOf) p = { ...p, ...(p.anyOf.find((x) => x.type !== "null") ?? {}), anyOf: undefined };
  if (p.$ref) p = { ...p, ...(schema.$defs?.[p.$ref.split("/").pop() ?? ""] ?? {}), $ref: undefined };
  return p;
}

export interface Field {
  key: string;
  prop: PropSchema;
  required: boolean;
}

/** The fields of a plug-in's config a form shows: every property but ``type`` and those in ``skip``. */
export function fields(info: PluginInfo | undefined, skip: string[] = []): Field[] {
  if (!info) return [];
  const req = new Set(info.schema.required ?? []);
  return Object.entries(info.schema.properties)
    .filter(([k]) => k !== "type" && !skip.includes(k))
    .map(([key, prop]) => ({ key, prop: resolve(info.schema, prop), required: req.has(key) }));
}

/** A starting value for a required field without a default (the schema's first example). */
export function initial(f: Field): unknown {
  return f.prop.default ?? f.prop.examples?.[0];
}
