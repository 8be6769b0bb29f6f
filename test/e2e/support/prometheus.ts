/**
 * A real Prometheus (Debian's package) on the host, scraping pods of the one-node cluster at their
 * pod IPs (the host is on the pod bridge) with the scrape job the Prometheus Operator generates from
 * a ServiceMonitor.
 *
 * Debian builds Prometheus without Kubernetes service discovery (`kubernetes_sd_configs` is an
 * unknown field there), so `EndpointsDiscovery` stands in for it: an HTTP service-discovery endpoint
 * (`http_sd_configs`) listing what `kubernetes_sd_configs` role `endpoints` lists, every port of
 * every address of every Service in the namespaces asked for, with the same `__meta_kubernetes_*`
 * labels. It selects nothing itself: the ServiceMonitor's selector, port and path are applied by the
 * relabelling of `serviceMonitorScrapeConfigs`, as the Prometheus Operator writes it, so a wrong
 * selector or port name in the operator's ServiceMonitor leaves the job without targets.
 */
import type { ChildProcess } from "node:child_process";
import { createServer, type Server } from "node:http";
import {
  CoreV1Api,
  DiscoveryV1Api,
  KubeConfig,
  type V1EndpointSlice,
  type V1Pod,
  type V1Service,
} from "@kubernetes/client-node";
import { tailFile } from "../../support/logs.ts";
import { freePort } from "../../support/ports.ts";
import { startPrometheus, stopPrometheus } from "../../support/prometheus-process.ts";

export const PROMETHEUS = process.env.PROMETHEUS ?? "/usr/bin/prometheus";
export const PROMTOOL = process.env.PROMTOOL ?? "/usr/bin/promtool";

/** The fields of a monitoring.coreos.com/v1 ServiceMonitor that decide what is scraped. */
export interface ServiceMonitor {
  metadata: { namespace: string; name: string };
  spec: {
    selector: { matchLabels?: Record<string, string> };
    namespaceSelector?: { matchNames?: string[] };
    endpoints: Array<{
      port: string;
      path?: string;
      interval?: string;
      scrapeTimeout?: string;
      scheme?: string;
      tlsConfig?: { ca?: { configMap?: { name: string; key: string } }; serverName?: string };
    }>;
  };
}

interface TargetGroup {
  targets: string[];
  labels: Record<string, string>;
}

type RelabelConfig = Record<string, string | string[]>;

export interface ScrapeConfig {
  job_name: string;
  honor_labels: boolean;
  metrics_path: string;
  scrape_interval: string;
  scrape_timeout: string;
  http_sd_configs: Array<{ url: string; refresh_interval: string }>;
  relabel_configs: RelabelConfig[];
  scheme?: string;
  tls_config?: { ca_file?: string; server_name?: string };
}

/** A Kubernetes label key as kubernetes_sd puts it into a meta label name. */
const labelName = (key: string) => key.replace(/[^a-zA-Z0-9_]/g, "_");
const escapeRegex = (text: string) => text.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&");

function labelsOf(prefix: string, labels: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(labels ?? {})) {
    out[`${prefix}_label_${labelName(key)}`] = value;
    out[`${prefix}_labelpresent_${labelName(key)}`] = "true";
  }
  return out;
}

/** What kubernetes_sd role `endpoints` yields for these objects (read from EndpointSlices). */
export function endpointTargets(
  services: V1Service[],
  slices: V1EndpointSlice[],
  pods: V1Pod[],
): TargetGroup[] {
  const groups: TargetGroup[] = [];
  for (const slice of slices) {
    const serviceName = slice.metadata?.labels?.["kubernetes.io/service-name"];
    const service = services.find((s) => s.metadata?.name === serviceName);
    if (!service || !serviceName) continue;
    const namespace = slice.metadata?.namespace ?? "";
    for (const endpoint of slice.endpoints ?? []) {
      const pod =
        endpoint.targetRef?.kind === "Pod"
          ? pods.find((p) => p.metadata?.name === endpoint.targetRef?.name)
          : undefined;
      for (const address of endpoint.addresses) {
        for (const port of slice.ports ?? []) {
          if (port.port === undefined) continue;
          const container = pod?.spec?.containers.find((c) =>
            (c.ports ?? []).some((p) => p.containerPort === port.port),
          );
          groups.push({
            targets: [`${address}:${port.port}`],
            labels: {
              __meta_kubernetes_namespace: namespace,
              __meta_kubernetes_endpoints_name: serviceName,
              __meta_kubernetes_endpoint_ready: String(endpoint.conditions?.ready ?? true),
              __meta_kubernetes_endpoint_port_name: port.name ?? "",
              __meta_kubernetes_endpoint_port_protocol: port.protocol ?? "TCP",
              ...(endpoint.targetRef?.kind
                ? {
                    __meta_kubernetes_endpoint_address_target_kind: endpoint.targetRef.kind,
                    __meta_kubernetes_endpoint_address_target_name: endpoint.targetRef.name ?? "",
                  }
                : {}),
              __meta_kubernetes_service_name: serviceName,
              ...labelsOf("__meta_kubernetes_service", service.metadata?.labels),
              ...(pod
                ? {
                    __meta_kubernetes_pod_name: pod.metadata?.name ?? "",
                    __meta_kubernetes_pod_ip: pod.status?.podIP ?? "",
                    __meta_kubernetes_pod_phase: pod.status?.phase ?? "",
                    __meta_kubernetes_pod_container_name: container?.name ?? "",
                    ...labelsOf("__meta_kubernetes_pod", pod.metadata?.labels),
                  }
                : {}),
            },
          });
        }
      }
    }
  }
  return groups;
}

/** Serves `endpointTargets` of the namespaces in `?namespace=` to Prometheus' http_sd. */
export class EndpointsDiscovery {
  private readonly server: Server;
  private readonly port: number;

  private constructor(server: Server, port: number) {
    this.server = server;
    this.port = port;
  }

  static async start(): Promise<EndpointsDiscovery> {
    const config = new KubeConfig();
    config.loadFromDefault();
    const core = config.makeApiClient(CoreV1Api);
    const discovery = config.makeApiClient(DiscoveryV1Api);
    const port = await freePort();
    const server = createServer((req, res) => {
      const namespaces = new URL(req.url ?? "/", "http://sd").searchParams.getAll("namespace");
      Promise.all(
        namespaces.map(async (namespace) => {
          const [services, slices, pods] = await Promise.all([
            core.listNamespacedService({ namespace }),
            discovery.listNamespacedEndpointSlice({ namespace }),
            core.listNamespacedPod({ namespace }),
          ]);
          return endpointTargets(services.items, slices.items, pods.items);
        }),
      ).then(
        (groups) => {
          res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(groups.flat()));
        },
        (error: unknown) => {
          // Prometheus keeps the last good list when discovery fails, as it does on apiserver errors.
          res.writeHead(500).end(String(error));
        },
      );
    });
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    return new EndpointsDiscovery(server, port);
  }

  url(namespaces: string[]): string {
    const query = new URLSearchParams(namespaces.map((ns): [string, string] => ["namespace", ns]));
    return `http://127.0.0.1:${this.port}/sd?${query}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * The scrape jobs the Prometheus Operator generates for a ServiceMonitor (role endpoints): keep the
 * Services whose labels match the selector and the endpoint port of that name, then label targets
 * namespace, service, pod, container, job (the Service's name) and endpoint. `every` replaces the
 * endpoint's interval (and caps its timeout), so that a test sees samples within seconds.
 */
export function serviceMonitorScrapeConfigs(
  monitor: ServiceMonitor,
  discovery: EndpointsDiscovery,
  every: string,
  /** the file holding a ConfigMap key, as the Prometheus Operator mounts `tlsConfig.ca.configMap` */
  configMapFile: (ref: { name: string; key: string }) => string = (ref) => {
    throw new Error(`no file for ConfigMap ${ref.name} key ${ref.key}`);
  },
): ScrapeConfig[] {
  const namespaces = monitor.spec.namespaceSelector?.matchNames ?? [monitor.metadata.namespace];
  const selector: RelabelConfig[] = Object.entries(monitor.spec.selector.matchLabels ?? {}).map(
    ([key, value]) => ({
      action: "keep",
      source_labels: [
        `__meta_kubernetes_service_label_${labelName(key)}`,
        `__meta_kubernetes_service_labelpresent_${labelName(key)}`,
      ],
      regex: `(${escapeRegex(value)});true`,
    }),
  );
  return monitor.spec.endpoints.map((endpoint, index) => ({
    job_name: `serviceMonitor/${monitor.metadata.namespace}/${monitor.metadata.name}/${index}`,
    honor_labels: false,
    metrics_path: endpoint.path ?? "/metrics",
    scrape_interval: every,
    scrape_timeout: every,
    http_sd_configs: [{ url: discovery.url(namespaces), refresh_interval: "5s" }],
    ...(endpoint.scheme ? { scheme: endpoint.scheme } : {}),
    ...(endpoint.tlsConfig
      ? {
          tls_config: {
            ...(endpoint.tlsConfig.ca?.configMap
              ? { ca_file: configMapFile(endpoint.tlsConfig.ca.configMap) }
              : {}),
            ...(endpoint.tlsConfig.serverName ? { server_name: endpoint.tlsConfig.serverName } : {}),
          },
        }
      : {}),
    relabel_configs: [
      ...selector,
      {
        action: "keep",
        source_labels: ["__meta_kubernetes_endpoint_port_name"],
        regex: escapeRegex(endpoint.port),
      },
      {
        source_labels: [
          "__meta_kubernetes_endpoint_address_target_kind",
          "__meta_kubernetes_endpoint_address_target_name",
        ],
        separator: ";",
        regex: "Pod;(.*)",
        target_label: "pod",
      },
      { source_labels: ["__meta_kubernetes_namespace"], target_label: "namespace" },
      { source_labels: ["__meta_kubernetes_service_name"], target_label: "service" },
      { source_labels: ["__meta_kubernetes_pod_name"], target_label: "pod" },
      { source_labels: ["__meta_kubernetes_pod_container_name"], target_label: "container" },
      { action: "drop", source_labels: ["__meta_kubernetes_pod_phase"], regex: "(Failed|Succeeded)" },
      { source_labels: ["__meta_kubernetes_service_name"], target_label: "job" },
      { target_label: "endpoint", replacement: endpoint.port },
    ],
  }));
}

export interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface RuleGroupState {
  name: string;
  file: string;
  rules: Array<{
    name: string;
    type: "alerting" | "recording";
    health: string;
    lastError?: string;
    state?: string;
    alerts?: Array<{ labels: Record<string, string>; annotations: Record<string, string>; state: string }>;
  }>;
}

/** Prometheus on a free loopback port with a fresh TSDB in a temporary directory. */
export class PrometheusProcess {
  readonly url: string;
  private readonly dir: string;
  private readonly child: ChildProcess;
  private readonly logPath: string;

  private constructor(url: string, dir: string, child: ChildProcess, logPath: string) {
    this.url = url;
    this.dir = dir;
    this.child = child;
    this.logPath = logPath;
  }

  static async start(options: {
    scrapeConfigs: ScrapeConfig[];
    ruleFiles: string[];
    evaluationInterval: string;
  }): Promise<PrometheusProcess> {
    const started = await startPrometheus({
      binary: PROMETHEUS,
      config: {
        global: { evaluation_interval: options.evaluationInterval },
        rule_files: options.ruleFiles,
        scrape_configs: options.scrapeConfigs,
      },
      readyTimeoutMs: 60_000,
    });
    return new PrometheusProcess(started.url, started.dir, started.child, started.logPath);
  }

  log(lines = 30): string {
    return tailFile(this.logPath, lines);
  }

  private async get<T>(path: string, params: Record<string, string> = {}): Promise<T> {
    const res = await fetch(`${this.url}${path}?${new URLSearchParams(params)}`);
    const body = (await res.json()) as { status: string; error?: string; data: T };
    if (body.status !== "success") throw new Error(`${path}: ${body.error ?? res.status}`);
    return body.data;
  }

  /** An instant query's vector. */
  async query(expr: string): Promise<Sample[]> {
    return (await this.get<{ result: Sample[] }>("/api/v1/query", { query: expr })).result;
  }

  async ruleGroups(): Promise<RuleGroupState[]> {
    return (await this.get<{ groups: RuleGroupState[] }>("/api/v1/rules")).groups;
  }

  /** Scrape targets after relabelling, and the discovered ones relabelling dropped. */
  async targets(): Promise<{
    active: Array<{ labels: Record<string, string>; health: string; lastError: string; scrapeUrl: string }>;
    dropped: Array<{ discoveredLabels: Record<string, string> }>;
  }> {
    const data = await this.get<{
      activeTargets: Array<{
        labels: Record<string, string>;
        health: string;
        lastError: string;
        scrapeUrl: string;
      }>;
      droppedTargets: Array<{ discoveredLabels: Record<string, string> }>;
    }>("/api/v1/targets");
    return { active: data.activeTargets, dropped: data.droppedTargets };
  }

  stop(): Promise<void> {
    return stopPrometheus({ child: this.child, dir: this.dir });
  }
}
