/**
 * Go-style durations ("500ms", "24h", "1h30m"), the format Kubernetes users already write in
 * manifests. The same pattern goes into the CRD, so the apiserver and `replistore up` agree.
 */

/** RE2- and ECMAScript-compatible, so it works both in the CRD and in TypeBox. */
export const DURATION_PATTERN = "^(0|([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+)$";

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
};

const DURATION_RE = new RegExp(DURATION_PATTERN);
const COMPONENT_RE = /([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)/g;

export const DURATION_HINT = "a duration such as 500ms, 30s, 24h or 1h30m";

/** Milliseconds, possibly fractional for sub-millisecond units. */
export function parseDuration(text: string): number {
  if (typeof text !== "string" || !DURATION_RE.test(text)) {
    throw new Error(
      `invalid duration ${JSON.stringify(text)}: use ${DURATION_HINT} (units: ns, us, ms, s, m, h)`,
    );
  }
  let ms = 0;
  for (const [, amount, unit] of text.matchAll(COMPONENT_RE)) {
    ms += Number(amount) * (UNIT_MS[unit ?? ""] ?? 0);
  }
  if (!Number.isFinite(ms) || ms > Number.MAX_SAFE_INTEGER) {
    throw new Error(`invalid duration ${JSON.stringify(text)}: too large`);
  }
  return ms;
}
