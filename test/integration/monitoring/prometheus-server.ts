/**
 * A real Prometheus (Debian's package) on loopback for tests: a fresh TSDB in a temporary directory,
 * scrape and rule evaluation every second, queried through its HTTP API.
 */
import type { ChildProcess } from "node:child_process";
import { tailFile } from "../../support/logs.ts";
import { startPrometheus, stopPrometheus } from "../../support/prometheus-process.ts";
import { prometheus } from "./prometheus-bin.ts";

export interface ScrapeJob {
  /** Prometheus's own job name; the `job` label is set by relabelling (see `labels`). */
  name: string;
  targets: Array<{ address: string; labels: Record<string, string> }>;
  /** Target labels set by relabel_configs, as the Prometheus Operator sets namespace and job. */
  labels: Record<string, string>;
}

export interface QueryResult {
  status: "success" | "error";
  errorType?: string;
  error?: string;
  data?: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> };
}

export interface RuleState {
  name: string;
  type: "alerting" | "recording";
  health: string;
  lastError?: string;
  state?: string;
}

export class PrometheusServer {
  readonly url: string;
  readonly dir: string;
  private readonly child: ChildProcess;
  private readonly logPath: string;

  private constructor(url: string, dir: string, child: ChildProcess, logPath: string) {
    this.url = url;
    this.dir = dir;
    this.child = child;
    this.logPath = logPath;
  }

  static async start(options: { jobs: ScrapeJob[]; ruleFiles: string[] }): Promise<PrometheusServer> {
    const config = {
      global: { scrape_interval: "1s", scrape_timeout: "1s", evaluation_interval: "1s" },
      rule_files: options.ruleFiles,
      scrape_configs: options.jobs.map((job) => ({
        job_name: job.name,
        static_configs: job.targets.map((t) => ({ targets: [t.address], labels: t.labels })),
        relabel_configs: Object.entries(job.labels).map(([label, value]) => ({
          target_label: label,
          replacement: value,
        })),
      })),
    };
    const started = await startPrometheus({
      binary: prometheus(),
      config,
      extraArgs: ["--web.enable-lifecycle"],
    });
    return new PrometheusServer(started.url, started.dir, started.child, started.logPath);
  }

  log(lines = 30): string {
    return tailFile(this.logPath, lines);
  }

  private async get<T>(path: string, params: Record<string, string> = {}): Promise<T> {
    const res = await fetch(`${this.url}${path}?${new URLSearchParams(params)}`);
    return (await res.json()) as T;
  }

  /** An instant query now; parse errors come back as status "error" (errorType bad_data). */
  query(expr: string): Promise<QueryResult> {
    return this.get<QueryResult>("/api/v1/query", { query: expr });
  }

  async rules(): Promise<RuleState[]> {
    const body = await this.get<{ data: { groups: Array<{ rules: RuleState[] }> } }>("/api/v1/rules");
    return body.data.groups.flatMap((g) => g.rules);
  }

  /** Scrape targets and their health ("up", "down", "unknown"). */
  async targets(): Promise<Array<{ labels: Record<string, string>; health: string; lastError: string }>> {
    const body = await this.get<{
      data: { activeTargets: Array<{ labels: Record<string, string>; health: string; lastError: string }> };
    }>("/api/v1/targets");
    return body.data.activeTargets;
  }

  stop(): Promise<void> {
    return stopPrometheus({ child: this.child, dir: this.dir });
  }
}
