/** Text views of the conflict queue: a list, and one record with its versions side by side. */
import { plainTable } from "./table.ts";

export interface VersionView {
  version: string;
  origin: string;
  role: string;
  applied: boolean;
  deleted: boolean;
  valueKnown: boolean;
  value: string | null;
  valueBase64: string | null;
}

export interface ConflictView {
  id: string;
  key: string;
  kind: string;
  status: string;
  detectedAt: string;
  detectedBy: string;
  versions: VersionView[];
  ownersReached?: string[];
  ownersFailed?: string[];
  resolution: { by: string; at: string; kept: string | null; written: string; note: string } | null;
}

const VALUE_WIDTH = 30;

export function age(iso: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172_800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86_400)}d`;
}

function clip(text: string, width: number): string {
  const oneLine = text.replace(/\s+/g, " ");
  return oneLine.length <= width ? oneLine : `${oneLine.slice(0, width - 1)}…`;
}

export function valueText(v: VersionView, width = VALUE_WIDTH): string {
  if (!v.valueKnown) return "(value not kept)";
  if (v.deleted) return "(deleted)";
  if (v.value !== null) return clip(v.value, width);
  return `base64:${clip(v.valueBase64 ?? "", width - 7)}`;
}

export function renderList(items: ConflictView[], next: string | null): string {
  if (items.length === 0) return "no conflicts\n";
  // The full id stays (it is what `show` and `resolve` take); the key gives way to fit 80 columns.
  const table = plainTable(["ID", "KEY", "KIND", "STATUS", "VERS", "AGE"]);
  for (const c of items) {
    table.push([c.id, clip(c.key, 16), c.kind, c.status, String(c.versions.length), age(c.detectedAt)]);
  }
  const more = next ? `\nmore: --cursor '${next}'\n` : "\n";
  return `${table.toString()}${more}`;
}

export function renderConflict(c: ConflictView): string {
  const lines = [
    `conflict ${c.id}: key ${JSON.stringify(c.key)} (${c.kind}), ${c.status}`,
    `detected ${c.detectedAt} by ${c.detectedBy}`,
  ];
  if (c.ownersReached)
    lines.push(
      `stored on ${c.ownersReached.join(", ") || "-"}; missed by ${c.ownersFailed?.join(", ") || "-"}`,
    );
  const table = plainTable(["", ...c.versions.map((_, i) => `#${i + 1}`)]);
  table.push(["role", ...c.versions.map((v) => v.role + (v.applied ? " (applied)" : ""))]);
  table.push(["version", ...c.versions.map((v) => v.version)]);
  table.push(["origin", ...c.versions.map((v) => v.origin)]);
  table.push(["value", ...c.versions.map((v) => valueText(v))]);
  lines.push("", table.toString(), "");
  if (c.resolution) {
    const r = c.resolution;
    lines.push(
      `resolved by ${r.by} at ${r.at}: ${r.kept ? `kept ${r.kept}` : "wrote a new value"} as ${r.written}`,
      ...(r.note ? [`note: ${r.note}`] : []),
    );
  } else {
    // Suggest the alternative to what last-write-wins applied: that is the decision to make.
    const keepable =
      c.versions.find((v) => v.valueKnown && !v.applied) ?? c.versions.find((v) => v.valueKnown);
    lines.push(
      `resolve: replistore conflicts resolve ${c.id} --keep ${keepable?.version ?? "<version>"} --by <you> --note "<why>"`,
      `     or: replistore conflicts resolve ${c.id} --value "<new value>" --by <you>`,
    );
  }
  return `${lines.join("\n")}\n`;
}
