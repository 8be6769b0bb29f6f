/** Flag checks shared by the bench scripts: a bad value prints what is wrong and exits 2. */

function check(name: string, raw: string, ok: (n: number) => boolean, what: string): number {
  const n = Number(raw);
  if (!ok(n) || n <= 0) {
    console.error(`--${name} must be a ${what}, got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return n;
}

/** A positive number, fractions allowed (e.g. --duration 0.5). */
export function positiveNumber(name: string, raw: string): number {
  return check(name, raw, Number.isFinite, "positive number");
}

export function positiveWhole(name: string, raw: string): number {
  return check(name, raw, Number.isInteger, "positive whole number");
}

/** Runs the script's parseArgs; a malformed command line is a message and exit 2, not a stack trace. */
export function parseOrExit<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : String(err)} (see --help)`);
    process.exit(2);
  }
}
