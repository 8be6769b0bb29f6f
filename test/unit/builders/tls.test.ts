import type { V1Container, V1PodSpec } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { buildNetworkPolicy } from "../../../src/builders/network-policy.ts";
import { buildRepairCronJob } from "../../../src/builders/repair-cronjob.ts";
import { buildServiceMonitor } from "../../../src/builders/service-monitor.ts";
import { buildStatefulSet } from "../../../src/builders/statefulset.ts";
import { buildCertificate } from "../../../src/builders/tls-certificate.ts";
import { certificateDnsNames, tlsSecretName } from "../../../src/builders/tls-names.ts";
import {
  buildCaConfigMap,
  buildCaSecret,
  buildLeafSecret,
  buildPeerSecret,
} from "../../../src/builders/tls-objects.ts";
import { context, store, UID } from "./fixtures.ts";

const CERT_MANAGER = { mode: "CertManager", issuerRef: { name: "corp-ca", kind: "ClusterIssuer" } };

function nodePod(spec: Record<string, unknown>): V1PodSpec {
  const pod = buildStatefulSet(store(spec), context()).spec?.template.spec;
  if (!pod) throw new Error("no pod template");
  return pod;
}

function repairPod(spec: Record<string, unknown>): V1PodSpec {
  const pod = buildRepairCronJob(store(spec), context()).spec?.jobTemplate.spec?.template.spec;
  if (!pod) throw new Error("no repair pod template");
  return pod;
}

const only = (pod: V1PodSpec): V1Container => {
  const [c] = pod.containers;
  if (!c) throw new Error("no container");
  return c;
};
const envOf = (c: V1Container) => Object.fromEntries((c.env ?? []).map((e) => [e.name, e]));

describe("TLS in the node and repair pods", () => {
  it.each([
    ["Auto", {}, "orders-tls"],
    ["CertManager", { tls: CERT_MANAGER }, "orders-tls"],
    ["Secret", { tls: { mode: "Secret", secretName: "my-certs" } }, "my-certs"],
  ])("%s: both pods mount the certificate Secret at REPLISTORE_TLS_DIR", (_mode, spec, secret) => {
    for (const pod of [nodePod(spec), repairPod(spec)]) {
      const c = only(pod);
      expect(pod.volumes).toContainEqual({ name: "tls", secret: { secretName: secret, defaultMode: 0o440 } });
      expect(c.volumeMounts).toContainEqual({
        name: "tls",
        mountPath: "/etc/replistore/tls",
        readOnly: true,
      });
      expect(envOf(c).REPLISTORE_TLS_DIR?.value).toBe("/etc/replistore/tls");
      expect(envOf(c).REPLISTORE_PEER_SECRET).toBeUndefined();
    }
  });

  it("Disabled: no certificate, the peer secret from <store>-peer, plain HTTP probes", () => {
    const spec = { tls: { mode: "Disabled" } };
    for (const pod of [nodePod(spec), repairPod(spec)]) {
      const c = only(pod);
      expect(pod.volumes?.map((v) => v.name)).not.toContain("tls");
      expect(envOf(c).REPLISTORE_TLS_DIR).toBeUndefined();
      expect(envOf(c).REPLISTORE_PEER_SECRET?.valueFrom?.secretKeyRef).toEqual({
        name: "orders-peer",
        key: "secret",
      });
    }
    const node = only(nodePod(spec));
    expect(node.readinessProbe?.httpGet?.scheme).toBe("HTTP");
    expect(node.livenessProbe?.httpGet?.scheme).toBe("HTTP");
  });

  it("listens for peers on 7071 in every mode", () => {
    for (const tls of [{}, { mode: "Disabled" }]) {
      const node = only(nodePod({ tls }));
      expect(envOf(node).REPLISTORE_PEER_LISTEN?.value).toBe("0.0.0.0:7071");
      expect(node.ports).toContainEqual({ name: "peer", containerPort: 7071, protocol: "TCP" });
    }
  });

  it("the NetworkPolicy admits only the store's pods to the peer port, whatever the mode", () => {
    for (const tls of [{}, { mode: "Disabled" }]) {
      const ingress = buildNetworkPolicy(store({ tls }), context()).spec?.ingress ?? [];
      const peer = ingress.filter((rule) => rule.ports?.some((p) => p.port === 7071));
      expect(peer).toEqual([
        {
          _from: [{ podSelector: { matchLabels: { "replistore.io/store": "orders" } } }],
          ports: [{ protocol: "TCP", port: 7071 }],
        },
      ]);
    }
  });
});

describe("certificate names", () => {
  it("cover every pod under the headless Service and the client Service, short and fully qualified", () => {
    expect(certificateDnsNames(store(), context({ clusterDomain: "example.internal" }))).toEqual([
      "*.orders-peers.shop.svc",
      "*.orders-peers.shop.svc.example.internal",
      "orders",
      "orders.shop",
      "orders.shop.svc",
      "orders.shop.svc.example.internal",
    ]);
  });

  it("fall back to cluster.local for the fully qualified names", () => {
    expect(certificateDnsNames(store(), context())).toContain("orders.shop.svc.cluster.local");
  });

  it("the mounted Secret is <store>-tls except in Secret mode", () => {
    expect(tlsSecretName(store())).toBe("orders-tls");
    expect(tlsSecretName(store({ tls: { mode: "Secret", secretName: "mine" } }))).toBe("mine");
  });
});

describe("ServiceMonitor with TLS", () => {
  const monitoring = { serviceMonitor: true };
  const endpointOf = (spec: Record<string, unknown>): Record<string, unknown> | undefined => {
    const endpoints = buildServiceMonitor(store(spec))?.spec.endpoints;
    return Array.isArray(endpoints) ? endpoints[0] : undefined;
  };

  it("scrapes over https, trusting the store's CA bundle under the client Service's name", () => {
    const endpoint = endpointOf({ monitoring });
    expect(endpoint).toMatchObject({
      port: "http",
      scheme: "https",
      tlsConfig: {
        ca: { configMap: { name: "orders-ca", key: "ca.crt" } },
        serverName: "orders.shop.svc",
      },
    });
  });

  it("scrapes plain http when TLS is Disabled", () => {
    const spec = { monitoring, tls: { mode: "Disabled" } };
    const endpoint = endpointOf(spec);
    expect(endpoint?.scheme).toBeUndefined();
    expect(endpoint?.tlsConfig).toBeUndefined();
  });
});

describe("cert-manager Certificate", () => {
  it("is built only in CertManager mode", () => {
    expect(buildCertificate(store(), context())).toBeUndefined();
    expect(buildCertificate(store({ tls: { mode: "Disabled" } }), context())).toBeUndefined();
  });

  it("asks the issuer for <store>-tls with the store's names, for server and client auth", () => {
    const cert = buildCertificate(store({ tls: CERT_MANAGER }), context());
    expect(cert?.apiVersion).toBe("cert-manager.io/v1");
    expect(cert?.metadata.ownerReferences?.[0]?.uid).toBe(UID);
    expect(cert?.spec).toMatchObject({
      secretName: "orders-tls",
      dnsNames: certificateDnsNames(store(), context()),
      issuerRef: { name: "corp-ca", kind: "ClusterIssuer", group: "cert-manager.io" },
    });
    expect(cert?.spec.usages).toEqual(expect.arrayContaining(["server auth", "client auth"]));
  });

  it("defaults the issuer to a namespaced Issuer", () => {
    const cert = buildCertificate(
      store({ tls: { mode: "CertManager", issuerRef: { name: "ns-ca" } } }),
      context(),
    );
    expect(cert?.spec.issuerRef).toEqual({ name: "ns-ca", kind: "Issuer", group: "cert-manager.io" });
  });
});

describe("TLS Secrets and the CA bundle", () => {
  const s = store();
  const decoded = (data: Record<string, string> | undefined) =>
    Object.fromEntries(Object.entries(data ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64").toString()]));

  it("the bundle is a ConfigMap <store>-ca with ca.crt, owned by the store", () => {
    const cm = buildCaConfigMap(s, "CA PEM");
    expect(cm.metadata?.name).toBe("orders-ca");
    expect(cm.data).toEqual({ "ca.crt": "CA PEM" });
    expect(cm.metadata?.ownerReferences?.[0]?.uid).toBe(UID);
  });

  it("Auto's CA Secret keeps the key beside the certificate", () => {
    const secret = buildCaSecret(s, { certPem: "C", keyPem: "K" });
    expect(secret.metadata?.name).toBe("orders-ca");
    expect(decoded(secret.data)).toEqual({ "ca.crt": "C", "ca.key": "K" });
  });

  it("Auto's leaf Secret is a kubernetes.io/tls Secret with the CA, as cert-manager writes it", () => {
    const secret = buildLeafSecret(s, { certPem: "C", keyPem: "K" }, "CA");
    expect(secret.metadata?.name).toBe("orders-tls");
    expect(secret.type).toBe("kubernetes.io/tls");
    expect(decoded(secret.data)).toEqual({ "tls.crt": "C", "tls.key": "K", "ca.crt": "CA" });
  });

  it("Disabled's peer Secret holds the secret under `secret`", () => {
    const secret = buildPeerSecret(store({ tls: { mode: "Disabled" } }), "p33r");
    expect(secret.metadata?.name).toBe("orders-peer");
    expect(decoded(secret.data)).toEqual({ secret: "p33r" });
  });
});
