/**
 * The repair schedule's five cron fields, checked one by one so a bad schedule is refused at
 * `kubectl apply` with the field that is wrong, not later by the CronJob. What is accepted is what
 * both schedulers take: Kubernetes' CronJob (robfig/cron: day of week 0-6, `?` in the day fields)
 * and croner under `replistore up` (which would also take 7, L, W and #; refused here so a manifest
 * means the same in both places). One regular expression serves the CEL rule and the TypeScript
 * check; it is written so RE2 (the apiserver) and JavaScript read it the same way.
 */
import type { CrossFieldRule } from "./cross-field-rule.ts";

interface CronField {
  /** The field's name as a person says it. */
  name: string;
  /** What one value may be (numbers, or names for month and day of week). */
  value: string;
  /** The allowed values, as the message states them. */
  allowed: string;
  /** Whether `?` may stand for `*` (the day fields). */
  question: boolean;
  /** The lowest and highest value, as numbers and (where the field has them) as names. */
  bounds: [string, string];
  nameBounds?: [string, string];
}

/** Names in either case, spelled out letter by letter: inline flags are not read alike everywhere. */
function names(list: string): string {
  return list
    .split(" ")
    .map((name) => [...name].map((c) => `[${c}${c.toUpperCase()}]`).join(""))
    .join("|");
}

const MONTHS = names("jan feb mar apr may jun jul aug sep oct nov dec");
const DAYS = names("sun mon tue wed thu fri sat");

export const CRON_FIELDS: readonly CronField[] = [
  { name: "minute", value: "[0-5]?[0-9]", allowed: "0-59", question: false, bounds: ["0", "59"] },
  { name: "hour", value: "[01]?[0-9]|2[0-3]", allowed: "0-23", question: false, bounds: ["0", "23"] },
  {
    name: "day of month",
    value: "0?[1-9]|[12][0-9]|3[01]",
    allowed: "1-31",
    question: true,
    bounds: ["1", "31"],
  },
  {
    name: "month",
    value: `0?[1-9]|1[0-2]|${MONTHS}`,
    allowed: "1-12 or JAN-DEC",
    question: false,
    bounds: ["1", "12"],
    nameBounds: ["JAN", "DEC"],
  },
  {
    name: "day of week",
    value: `[0-6]|${DAYS}`,
    allowed: "0-6 (Sunday is 0) or SUN-SAT",
    question: true,
    bounds: ["0", "6"],
    nameBounds: ["SUN", "SAT"],
  },
];

const ORDINALS = ["1st", "2nd", "3rd", "4th", "5th"];

/** One field: a list of `*`, a value or a range, each with an optional step of 1 or more. */
function fieldPattern(field: CronField): string {
  const value = `(?:${field.value})`;
  const item = `(?:\\*|${value}(?:-${value})?)(?:/[1-9][0-9]?)?`;
  const list = `${item}(?:,${item})*`;
  return field.question ? `(?:\\?|${list})` : list;
}

/** The whole schedule with field `index` checked and the others only counted. */
export function cronFieldRegex(index: number): string {
  const parts = CRON_FIELDS.map((field, i) => (i === index ? fieldPattern(field) : "\\S+"));
  return `^\\s*${parts.join("\\s+")}\\s*$`;
}

/** The same expression as a CEL string literal (single-quoted, backslashes escaped). */
export function celString(regex: string): string {
  return `'${regex.replaceAll("\\", "\\\\")}'`;
}

const isMacro = (schedule: string) => schedule.startsWith("@");

export const CRON_FIELD_RULES: readonly CrossFieldRule[] = CRON_FIELDS.map((field, index) => {
  const regex = cronFieldRegex(index);
  const compiled = new RegExp(regex);
  const what = `the ${field.name} (${ORDINALS[index]} field)`;
  const fix = `use ${field.allowed}, *, ranges a-b, steps /n and lists a,b, e.g. "*/15 * * * *"`;
  return {
    id: `schedule-${field.name.replaceAll(" ", "-")}`,
    field: "spec.antiEntropy.schedule",
    cel: `self.antiEntropy.schedule.startsWith('@') || self.antiEntropy.schedule.matches(${celString(regex)})`,
    message: `spec.antiEntropy.schedule: ${what} is not valid: ${fix}`,
    holds: (spec) => isMacro(spec.antiEntropy.schedule) || compiled.test(spec.antiEntropy.schedule),
    explain: (spec) => {
      const text = spec.antiEntropy.schedule.trim().split(/\s+/)[index] ?? "";
      return `spec.antiEntropy.schedule "${spec.antiEntropy.schedule}": ${what} "${text}" is not valid: ${fix}`;
    },
  };
});

const NAME_VALUES: Readonly<Record<string, number>> = Object.fromEntries([
  ..."jan feb mar apr may jun jul aug sep oct nov dec".split(" ").map((m, i) => [m, i + 1] as const),
  ..."sun mon tue wed thu fri sat".split(" ").map((d, i) => [d, i] as const),
]);

const numberOf = (text: string): number => NAME_VALUES[text.toLowerCase()] ?? Number(text);

/**
 * What a regular expression cannot see: a range that runs backwards (`30-10`). Both schedulers
 * refuse it, so `replistore up` and the operator (an InvalidSpec condition and event) say so with
 * the field, instead of the CronJob failing to apply.
 */
export function backwardRanges(schedule: string): string[] {
  if (schedule.startsWith("@")) return [];
  const fields = schedule.trim().split(/\s+/);
  const problems: string[] = [];
  CRON_FIELDS.forEach((field, index) => {
    for (const item of (fields[index] ?? "").split(",")) {
      const [from, to] = (item.split("/")[0] ?? "").split("-");
      if (from === undefined || to === undefined) continue;
      if (numberOf(from) > numberOf(to)) {
        const [low, high] = /^[0-9]+$/.test(from) ? field.bounds : (field.nameBounds ?? field.bounds);
        problems.push(
          `spec.antiEntropy.schedule "${schedule}": the ${field.name} (${ORDINALS[index]} field) range "${from}-${to}" runs backwards: write ranges from low to high, and a span that wraps around as two (${from}-${high},${low}-${to})`,
        );
      }
    }
  });
  return problems;
}
