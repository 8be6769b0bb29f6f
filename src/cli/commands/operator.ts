/** `replistore operator`: the Kubernetes controller for ReplicatedStores. */

import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { type Command, Option } from "commander";
import pkg from "../../../package.json" with { type: "json" };
import { parseMonitoringDefaults } from "../../api/monitoring-defaults.ts";
import { POD_ROUTES, type PodRoute } from "../../client/discovery/store-pods.ts";
import { UserError } from "../../errors.ts";
import { durationMs, listenAddress, positiveInt } from "../options.ts";

interface OperatorFlags {
  kubeconfig?: string;
  namespace?: string[];
  concurrency: number;
  image: string;
  operatorNamespace?: string;
  resync: number;
  clusterDomain?: string;
  leaderElect: boolean;
  leaderElectionNamespace?: string;
  leaseDuration: number;
  renewDeadline: number;
  retryPeriod: number;
  identity?: string;
  metricsListen?: string;
  reviewListen?: string;
  reviewVia: PodRoute;
  logLevel: string;
  storeMonitoring?: string;
  imagePullSecrets?: string[];
}

const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"];
const DEFAULT_OPERATOR_NAMESPACE = "replistore-system";
const LEASE_NAME = "replistore-operator";

async function operator(flags: OperatorFlags): Promise<void> {
  // Loaded only here: the other commands should not pay for the Kubernetes client.
  const { loadKubeConfig, podNamespace } = await import("../../operator/controller/kube-config.ts");
  const { runOperator } = await import("../../operator/run.ts");
  const kubeConfig = loadKubeConfig(flags.kubeconfig);
  const operatorNamespace =
    flags.operatorNamespace ?? podNamespace(process.env) ?? DEFAULT_OPERATOR_NAMESPACE;
  if (flags.renewDeadline >= flags.leaseDuration) {
    throw new UserError("--renew-deadline must be shorter than --lease-duration");
  }
  if (flags.retryPeriod >= flags.renewDeadline) {
    throw new UserError("--retry-period must be shorter than --renew-deadline");
  }
  const leaderElection = flags.leaderElect
    ? {
        namespace: flags.leaderElectionNamespace ?? operatorNamespace,
        name: LEASE_NAME,
        identity: flags.identity ?? `${process.env.POD_NAME ?? hostname()}_${randomBytes(4).toString("hex")}`,
        leaseDurationMs: flags.leaseDuration,
        renewDeadlineMs: flags.renewDeadline,
        retryPeriodMs: flags.retryPeriod,
      }
    : undefined;
  await runOperator({
    kubeConfig,
    namespaces: flags.namespace ?? [],
    concurrency: flags.concurrency,
    image: flags.image,
    operatorNamespace,
    ...(leaderElection ? { leaderElection } : {}),
    ...(flags.metricsListen !== undefined ? { metricsListen: hostPort(flags.metricsListen) } : {}),
    ...(flags.reviewListen !== undefined ? { reviewListen: hostPort(flags.reviewListen) } : {}),
    reviewVia: flags.reviewVia,
    resyncPeriodMs: flags.resync,
    ...(flags.clusterDomain ? { clusterDomain: flags.clusterDomain } : {}),
    logLevel: flags.logLevel,
    ...(flags.imagePullSecrets ? { imagePullSecrets: flags.imagePullSecrets } : {}),
    ...(flags.storeMonitoring
      ? { storeMonitoring: parseMonitoringDefaults(flags.storeMonitoring, "--store-monitoring") }
      : {}),
  });
}

/** "host:port" or "[v6]:port" (already checked by listenAddress). */
function hostPort(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(":");
  return {
    host: address.slice(0, colon).replace(/^\[(.*)\]$/, "$1"),
    port: Number(address.slice(colon + 1)),
  };
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(",").filter((ns) => ns !== "")];
}

export function registerOperator(program: Command): void {
  program
    .command("operator")
    .description(
      "run the Kubernetes operator: reconcile ReplicatedStores into StatefulSets, Services, config and repair jobs",
    )
    .addOption(
      new Option(
        "--kubeconfig <file>",
        "kubeconfig to use (default: $KUBECONFIG, in-cluster, ~/.kube/config)",
      ),
    )
    .addOption(
      new Option("-n, --namespace <ns>", "watch only this namespace (repeat or comma-separate; default: all)")
        .env("REPLISTORE_WATCH_NAMESPACES")
        .argParser(collect),
    )
    .addOption(new Option("--concurrency <n>", "stores reconciled at once").argParser(positiveInt).default(4))
    .addOption(
      new Option("--image <image>", "node and repair image for stores that name none (the operator's own)")
        .env("REPLISTORE_IMAGE")
        .default(`replistore:${pkg.version}`),
    )
    .addOption(
      new Option(
        "--operator-namespace <ns>",
        "namespace the operator runs in (its pods may reach the nodes)",
      ).env("POD_NAMESPACE"),
    )
    .addOption(
      new Option("--resync <duration>", "reconcile every store this often even without changes")
        .argParser(durationMs)
        .default(600_000, "10m"),
    )
    .addOption(
      new Option("--cluster-domain <domain>", "cluster DNS domain for member URLs (default: none, .svc)"),
    )
    .addOption(
      new Option(
        "--no-leader-elect",
        "reconcile without holding the leader Lease (only one operator may run)",
      ),
    )
    .addOption(
      new Option(
        "--leader-election-namespace <ns>",
        "namespace of the Lease (default: the operator's namespace)",
      ),
    )
    .addOption(
      new Option("--lease-duration <duration>", "how long a standby waits for an unrenewed Lease")
        .argParser(durationMs)
        .default(15_000, "15s"),
    )
    .addOption(
      new Option("--renew-deadline <duration>", "how long the leader keeps trying to renew before it stops")
        .argParser(durationMs)
        .default(10_000, "10s"),
    )
    .addOption(
      new Option("--retry-period <duration>", "how often to renew or try to acquire the Lease")
        .argParser(durationMs)
        .default(2_000, "2s"),
    )
    .addOption(
      new Option(
        "--identity <id>",
        "this candidate's name in the Lease (default: pod name and a random suffix)",
      ),
    )
    .addOption(
      new Option(
        "--metrics-listen <host:port>",
        "serve /metrics, /healthz and /readyz (e.g. 0.0.0.0:8080; default: off)",
      )
        .env("REPLISTORE_METRICS_LISTEN")
        .argParser(listenAddress),
    )
    .addOption(
      new Option(
        "--review-listen <host:port>",
        "serve the conflict review page of every store (e.g. 127.0.0.1:8081; default: off)",
      )
        .env("REPLISTORE_REVIEW_LISTEN")
        .argParser(listenAddress),
    )
    .addOption(
      new Option(
        "--review-via <route>",
        "how the operator reaches store nodes: the review page, conflict counts and drains",
      )
        .choices(POD_ROUTES)
        .default("pod-ip"),
    )
    .addOption(
      new Option(
        "--image-pull-secrets <names>",
        "pull secrets (in each store's namespace) for stores that name none (repeat or comma-separate)",
      )
        .env("REPLISTORE_IMAGE_PULL_SECRETS")
        .argParser(collect),
    )
    .addOption(
      new Option(
        "--store-monitoring <json>",
        'defaults for every store\'s spec.monitoring: labels, annotations, runbookBaseUrl, scrapeFrom, e.g. {"labels":{"release":"prom"}}',
      ).env("REPLISTORE_STORE_MONITORING"),
    )
    .addOption(
      new Option("--log-level <level>", "log level")
        .env("REPLISTORE_LOG_LEVEL")
        .choices(LOG_LEVELS)
        .default("info"),
    )
    .action((flags: OperatorFlags) => operator(flags));
}
