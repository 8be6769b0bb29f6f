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

/** The load flags of the benches that drive a store with the load generator (bench, bench:compare). */
export function loadOptions(warmupSeconds: string) {
  return {
    duration: { type: "string", default: "10", short: "d" },
    warmup: { type: "string", default: warmupSeconds },
    concurrency: { type: "string", default: "64", short: "c" },
    "value-size": { type: "string", default: "1024" },
    tls: { type: "string", default: "on" },
  } as const;
}

/** A flag that must be one of `choices`: otherwise a message and exit 2. */
export function oneOf<T extends string>(name: string, value: string | undefined, choices: readonly T[]): T {
  if (!choices.includes(value as T)) {
    console.error(`--${name} must be ${choices.join(" or ")}, got ${JSON.stringify(value)}`);
    process.exit(2);
  }
  return value as T;
}

export interface LoadSettings {
  tls: boolean;
  durationMs: number;
  warmupMs: number;
  concurrency: number;
  valueBytes: number;
}

/** The checked values of loadOptions' flags. */
export function loadSettings(flags: {
  duration: string;
  warmup: string;
  concurrency: string;
  "value-size": string;
  tls: string;
}): LoadSettings {
  return {
    tls: oneOf("tls", flags.tls, ["on", "off"]) === "on",
    durationMs: positiveNumber("duration", flags.duration) * 1000,
    warmupMs: Number(flags.warmup) * 1000,
    concurrency: Math.round(positiveNumber("concurrency", flags.concurrency)),
    valueBytes: Math.round(positiveNumber("value-size", flags["value-size"])),
  };
}
