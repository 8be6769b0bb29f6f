/**
 * `replistore operator` in the foreground: run until SIGTERM or SIGINT, then stop cleanly (releasing
 * the leader lease). Losing leadership ends the process with exit code 1, so that it starts again as
 * a candidate with fresh state, as client-go controllers do.
 */
import { pino } from "pino";
import { kubeDirectory } from "../client/discovery/kube-directory.ts";
import type { PodRoute } from "../client/discovery/store-pods.ts";
import { startReviewServer } from "../review/server.ts";
import { startHealthServer } from "./controller/health-server.ts";
import { Operator, type OperatorOptions } from "./operator.ts";

export interface RunOptions extends Omit<OperatorOptions, "log"> {
  logLevel: string;
  /** Serve /metrics, /healthz and /readyz here. */
  metricsListen?: { host: string; port: number };
  /** Serve the conflict review page here, reaching store nodes by `reviewVia` (docs/review.md). */
  reviewListen?: { host: string; port: number };
  reviewVia?: PodRoute;
}

export async function runOperator(options: RunOptions): Promise<void> {
  const { logLevel, metricsListen, reviewListen, reviewVia, ...rest } = options;
  const log = pino({ level: logLevel, base: { component: "replistore-operator" } });
  let lost = () => {};
  const leadershipLost = new Promise<string>((resolve) => {
    lost = () => resolve("leadership lost");
  });
  // The review page and the operator's own node requests (conflict counts, drains) go the same way.
  const operator = new Operator({
    ...rest,
    log,
    onLostLeadership: lost,
    ...(reviewVia ? { nodeRoute: reviewVia } : {}),
  });
  const server = metricsListen
    ? await startHealthServer(metricsListen.host, metricsListen.port, {
        registry: operator.metrics.registry,
        ready: () => operator.ready(),
      })
    : undefined;
  if (metricsListen) log.info(metricsListen, "serving /metrics, /healthz and /readyz");
  const review = reviewListen
    ? await startReviewServer(
        kubeDirectory({
          kubeConfig: rest.kubeConfig,
          listStores: () => operator.listStores(),
          route: reviewVia ?? "pod-ip",
        }),
        reviewListen.host,
        reviewListen.port,
      )
    : undefined;
  if (review) log.info({ ...reviewListen, via: reviewVia ?? "pod-ip" }, "serving the conflict review page");
  await operator.start();
  const reason = await Promise.race([
    leadershipLost,
    new Promise<string>((resolve) => {
      const stop = (signal: string) => {
        process.off("SIGTERM", onTerm);
        process.off("SIGINT", onInt);
        resolve(signal);
      };
      const onTerm = () => stop("SIGTERM");
      const onInt = () => stop("SIGINT");
      process.on("SIGTERM", onTerm);
      process.on("SIGINT", onInt);
    }),
  ]);
  log.info({ reason }, "shutting down");
  await operator.stop();
  server?.close();
  await review?.close();
  if (reason === "leadership lost") process.exitCode = 1;
}
