/** Option parsers: a bad flag value is a usage error (exit 2) that says what a good one looks like. */
import { InvalidArgumentError, Option } from "commander";
import { parseDuration } from "../api/duration.ts";

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError(`expected a whole number of at least 1, got "${value}"`);
  }
  return n;
}

export function port(value: string): number {
  const n = Number(value);
  if (!/^[0-9]+$/.test(value) || n < 1 || n > 65_535) {
    throw new InvalidArgumentError(`expected a port between 1 and 65535, got "${value}"`);
  }
  return n;
}

/** host:port, with IPv6 hosts in brackets ([::1]:7070). */
export function listenAddress(value: string): string {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]\s]+):([0-9]+)$/.exec(value);
  if (!match || port(match[2] ?? "") < 1) {
    throw new InvalidArgumentError(`expected host:port such as 127.0.0.1:7070, got "${value}"`);
  }
  return value;
}

export function durationMs(value: string): number {
  try {
    return parseDuration(value);
  } catch (err) {
    throw new InvalidArgumentError(err instanceof Error ? err.message : String(err));
  }
}

export const OUTPUT_FORMATS = ["text", "json", "yaml"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function outputOption(): Option {
  return new Option("-o, --output <format>", "output format").choices(OUTPUT_FORMATS).default("text");
}
