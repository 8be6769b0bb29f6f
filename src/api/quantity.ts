/**
 * Kubernetes-style byte quantities ("512Mi", "1Gi", "100M"). Only the forms that make sense for
 * sizes are accepted: no milli-units and no exponent notation, which would only confuse.
 */

export const QUANTITY_PATTERN = "^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$";

const SUFFIX_BYTES: Readonly<Record<string, number>> = {
  "": 1,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

const QUANTITY_RE = /^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;

export const QUANTITY_HINT = "a size such as 512Mi, 1Gi or 100M";

/** Whole bytes; a fractional result (e.g. "1.5") rounds up so a limit is never undercut. */
export function parseQuantity(text: string): number {
  const match = typeof text === "string" ? QUANTITY_RE.exec(text) : null;
  if (!match) {
    throw new Error(
      `invalid quantity ${JSON.stringify(text)}: use ${QUANTITY_HINT} (suffixes: Ki Mi Gi Ti Pi Ei, k M G T P E)`,
    );
  }
  const bytes = Math.ceil(Number(match[1]) * (SUFFIX_BYTES[match[2] ?? ""] ?? 1));
  if (!Number.isSafeInteger(bytes)) {
    throw new Error(
      `invalid quantity ${JSON.stringify(text)}: too large (at most ${Number.MAX_SAFE_INTEGER} bytes)`,
    );
  }
  return bytes;
}
