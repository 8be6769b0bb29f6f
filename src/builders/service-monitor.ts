/**
 * A Prometheus Operator ServiceMonitor scraping every node through the headless peers Service, which
 * lists pods that are not ready too: a node failing its readiness probe is exactly one to watch.
 * Prometheus names the job after the Service (`<name>-peers`), which the alert rules select on.
 */

import { PORT_NAME } from "../api/names.ts";
import type { BuildContext, StoreResource } from "./context.ts";
import { storeLabels } from "./labels.ts";
import { monitoringMetadata } from "./monitoring-settings.ts";
import { serviceMonitorName } from "./names.ts";
import { CA_CERT_KEY, caConfigMapName, tlsEnabled, tlsServerName } from "./tls-names.ts";
import { MONITORING_API_VERSION, type UnstructuredObject } from "./unstructured.ts";

/**
 * With TLS, Prometheus dials each pod IP and checks the node certificate against the store's CA
 * bundle under the client Service's name, which that certificate covers in every mode.
 */
function scrapeTls(store: StoreResource): Record<string, unknown> {
  if (!tlsEnabled(store)) return {};
  return {
    scheme: "https",
    tlsConfig: {
      ca: { configMap: { name: caConfigMapName(store), key: CA_CERT_KEY } },
      serverName: tlsServerName(store),
    },
  };
}

export function buildServiceMonitor(
  store: StoreResource,
  ctx: Pick<BuildContext, "monitoring"> = {},
): UnstructuredObject | undefined {
  if (!store.spec.monitoring.serviceMonitor) return undefined;
  return {
    apiVersion: MONITORING_API_VERSION,
    kind: "ServiceMonitor",
    metadata: monitoringMetadata(store, ctx, serviceMonitorName(store)),
    spec: {
      selector: { matchLabels: storeLabels(store, "peers") },
      namespaceSelector: { matchNames: [store.metadata.namespace] },
      endpoints: [
        { port: PORT_NAME, path: "/metrics", interval: "30s", scrapeTimeout: "10s", ...scrapeTls(store) },
      ],
    },
  };
}
