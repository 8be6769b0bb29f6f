/**
 * One schemathesis run (the CLI in the venv hack/fuzz/install.sh makes), time-boxed, read back from
 * its JSON report: how many cases it generated, which checks failed on which operations.
 */
import { spawn, spawnSync } from "node:child_process";
import { createWriteStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

/** The checks that make "zero 5xx, zero answers outside the schema" (names as schemathesis 4 has them). */
export const CHECKS = [
  "not_a_server_error",
  "status_code_conformance",
  "content_type_conformance",
  "response_schema_conformance",
  "response_headers_conformance",
];

export interface SchemathesisRun {
  /** An OpenAPI URL, or a file (then `url` is the API's base URL). */
  location: string;
  url?: string;
  maxTimeS: number;
  maxExamples: number;
  seed: number;
  headers: Record<string, string>;
  cacert?: string;
  cert?: string;
  key?: string;
  /** Where the JSON report and the full output go. */
  reportPath: string;
  logPath: string;
}

export interface SchemathesisResult {
  exitCode: number | null;
  cases: number;
  operations: number;
  failures: Array<{ code: string; title: string; operations: string[] }>;
  errors: string[];
  /** The output's failure section, for a failed run. */
  details: string;
}

/** Installs schemathesis if needed (cached: well under a second) and returns its command. */
export function schemathesisBin(): string {
  const script = fileURLToPath(new URL("./install.sh", import.meta.url));
  const out = spawnSync("bash", [script], { encoding: "utf8" });
  if (out.status !== 0) throw new Error(`hack/fuzz/install.sh failed:\n${out.stdout}${out.stderr}`);
  const lines = out.stdout.trim().split("\n");
  return lines[lines.length - 1]!;
}

/** Seconds schemathesis may overrun --max-time (it finishes the case in flight and writes reports). */
const GRACE_S = 30;

export async function runSchemathesis(bin: string, run: SchemathesisRun): Promise<SchemathesisResult> {
  const args = [
    "run",
    run.location,
    ...(run.url ? ["--url", run.url] : []),
    "--checks",
    CHECKS.join(","),
    "--max-examples",
    String(run.maxExamples),
    "--max-time",
    String(run.maxTimeS),
    "--seed",
    String(run.seed),
    "--request-timeout",
    "10",
    "--report",
    "json",
    "--report-json-path",
    run.reportPath,
    "--no-color",
    ...Object.entries(run.headers).flatMap(([k, v]) => ["--header", `${k}: ${v}`]),
    ...(run.cacert ? ["--tls-verify", run.cacert] : []),
    ...(run.cert ? ["--request-cert", run.cert] : []),
    ...(run.key ? ["--request-cert-key", run.key] : []),
  ];
  const log = createWriteStream(run.logPath);
  // In the report's directory: schemathesis keeps a .schemathesis/ cache (for `st replay`) in its cwd.
  const child = spawn(bin, args, {
    cwd: dirname(run.reportPath),
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1" },
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    log.write(chunk);
    output += chunk.toString("utf8");
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const killer = setTimeout(() => child.kill("SIGKILL"), (run.maxTimeS + GRACE_S) * 1000);
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve(code));
  });
  clearTimeout(killer);
  await new Promise<void>((resolve) => log.end(resolve));

  let report: Report;
  try {
    report = JSON.parse(await readFile(run.reportPath, "utf8")) as Report;
  } catch {
    throw new Error(
      `schemathesis exited ${exitCode} without a JSON report (killed after ${run.maxTimeS + GRACE_S} s?); output in ${run.logPath}:\n${output.slice(-3000)}`,
    );
  }
  const start = output.indexOf("= FAILURES =");
  const end = output.indexOf("= SUMMARY =");
  return {
    exitCode,
    cases: report.test_cases.generated,
    operations: report.operations.tested,
    failures: report.failures.map((f) => ({ code: f.code, title: f.title, operations: f.operations })),
    errors: report.errors.map((e) => JSON.stringify(e)),
    details: start >= 0 ? output.slice(start, end > start ? end : undefined).trim() : "",
  };
}

/** The parts of schemathesis 4's JSON report the run reads. */
interface Report {
  test_cases: { generated: number };
  operations: { tested: number };
  failures: Array<{ code: string; title: string; operations: string[] }>;
  errors: unknown[];
}
