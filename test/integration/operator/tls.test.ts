/**
 * spec.tls against the real control plane, with cert-manager's real Certificate CRD (vendored in
 * test/fixtures/cert-manager) installed: Auto's CA and certificate (and their renewal), Secret mode
 * with a bad Secret, Disabled, and CertManager (the test plays cert-manager by writing the Secret).
 */
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import type { V1Secret } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { CRD_FILE } from "../../../src/api/crd-yaml.ts";
import { newApiStats } from "../../../src/operator/controller/api-stats.ts";
import { NodeAccess, nodeRequest } from "../../../src/operator/observe/node-access.ts";
import {
  certificateFacts,
  coversNames,
  createCa,
  issueCertificate,
  type KeyPairPem,
  signedBy,
} from "../../../src/tls/pki.ts";
import { eventually } from "../../support/eventually.ts";
import { createNamespace } from "../../support/k8s/index.ts";
import {
  conditionOf,
  createStore,
  patchSpec,
  useOperatorPlane,
  waitForEvent,
  waitForStatus,
} from "./harness.ts";

const CERTIFICATE_CRD = fileURLToPath(
  new URL("../../fixtures/cert-manager/crd-certificates.yaml", import.meta.url),
);

const env = useOperatorPlane({ crds: [CRD_FILE], moreCrdFiles: [CERTIFICATE_CRD] });

const text = (secret: V1Secret, key: string): string =>
  Buffer.from(secret.data?.[key] ?? "", "base64").toString("utf8");

function storeNames(namespace: string): string[] {
  return [
    `orders-0.orders-peers.${namespace}.svc`,
    `orders-2.orders-peers.${namespace}.svc.cluster.local`,
    "orders",
    `orders.${namespace}`,
    `orders.${namespace}.svc`,
    `orders.${namespace}.svc.cluster.local`,
  ];
}

function tlsSecret(namespace: string, name: string, data: Record<string, string>): V1Secret {
  return {
    metadata: { name, namespace },
    type: "Opaque",
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString("base64")])),
  };
}

async function leafFor(namespace: string, ca: KeyPairPem, options: { validityMs?: number; now?: Date } = {}) {
  return issueCertificate(ca, {
    commonName: "orders",
    dnsNames: [`*.orders-peers.${namespace}.svc`, `orders.${namespace}.svc`],
    ...options,
  });
}

/** Every name a node's certificate covers, as Auto issues it. */
function everyDnsName(namespace: string): string[] {
  return [
    `*.orders-peers.${namespace}.svc`,
    `*.orders-peers.${namespace}.svc.cluster.local`,
    "orders",
    `orders.${namespace}`,
    `orders.${namespace}.svc`,
    `orders.${namespace}.svc.cluster.local`,
  ];
}

/** The Secrets Auto keeps, as an earlier reconcile would have left them: the CA and `leaf` it signed. */
async function createAutoSecrets(namespace: string, ca: KeyPairPem, leaf: KeyPairPem): Promise<void> {
  await env.clients.core.createNamespacedSecret({
    namespace,
    body: tlsSecret(namespace, "orders-ca", { "ca.crt": ca.certPem, "ca.key": ca.keyPem }),
  });
  await env.clients.core.createNamespacedSecret({
    namespace,
    body: tlsSecret(namespace, "orders-tls", {
      "tls.crt": leaf.certPem,
      "tls.key": leaf.keyPem,
      "ca.crt": ca.certPem,
    }),
  });
}

const readSecret = (namespace: string, name: string) =>
  env.clients.core.readNamespacedSecret({ namespace, name });

describe("spec.tls on the real apiserver", () => {
  it("Auto: a CA kept in <store>-ca, a certificate for every node signed by it, the bundle in a ConfigMap", async () => {
    const ns = await createNamespace(env.clients, "tls-auto");
    const store = await createStore(env.clients, ns, "orders", { replicas: 3 });
    const ready = await waitForStatus(
      env.clients,
      ns,
      "orders",
      (s) => conditionOf(s, "TLS")?.status === "True",
      "TLS True",
    );
    const caSecret = await readSecret(ns, "orders-ca");
    const leafSecret = await readSecret(ns, "orders-tls");
    const bundle = await env.clients.core.readNamespacedConfigMap({ namespace: ns, name: "orders-ca" });
    const caPem = text(caSecret, "ca.crt");
    const certPem = text(leafSecret, "tls.crt");

    expect(text(caSecret, "ca.key")).toContain("PRIVATE KEY");
    expect(leafSecret.type).toBe("kubernetes.io/tls");
    expect(text(leafSecret, "tls.key")).toContain("PRIVATE KEY");
    expect(text(leafSecret, "ca.crt")).toBe(caPem);
    expect(bundle.data?.["ca.crt"]).toBe(caPem);
    expect(signedBy(certPem, caPem)).toBe(true);
    expect(coversNames(certPem, storeNames(ns))).toBe(true);
    expect(coversNames(certPem, [`orders-0.other-peers.${ns}.svc`])).toBe(false);
    for (const object of [caSecret, leafSecret, bundle]) {
      expect(object.metadata?.ownerReferences?.[0]?.uid).toBe(store.metadata.uid);
    }

    const condition = conditionOf(ready, "TLS");
    const notAfter = certificateFacts(certPem)
      .notAfter.toISOString()
      .replace(/\.\d{3}Z$/, "Z");
    expect(condition?.reason).toBe("Auto");
    expect(condition?.message).toContain(notAfter);
    expect(ready.status?.tls).toEqual({
      mode: "Auto",
      secretName: "orders-tls",
      notAfter,
      caConfigMap: "orders-ca",
    });

    const sts = await env.clients.apps.readNamespacedStatefulSet({ namespace: ns, name: "orders" });
    const volumes = sts.spec?.template.spec?.volumes ?? [];
    expect(volumes.find((v) => v.name === "tls")?.secret?.secretName).toBe("orders-tls");
  });

  it("Auto: keeps an existing CA and replaces a certificate that is due for renewal", async () => {
    const ns = await createNamespace(env.clients, "tls-renew");
    const ca = await createCa("pre-existing CA");
    // Issued 80 days ago for 90 days: past two thirds of its life.
    const old = await leafFor(ns, ca, { now: new Date(Date.now() - 80 * 86_400_000) });
    await createAutoSecrets(ns, ca, old);
    await createStore(env.clients, ns, "orders", { replicas: 1 });

    const renewed = await eventually(
      async () => {
        const pem = text(await readSecret(ns, "orders-tls"), "tls.crt");
        if (pem === old.certPem) throw new Error("still the old certificate");
        return pem;
      },
      { timeoutMs: 30_000, what: "a renewed certificate" },
    );
    expect(text(await readSecret(ns, "orders-ca"), "ca.crt")).toBe(ca.certPem);
    expect(signedBy(renewed, ca.certPem)).toBe(true);
    expect(certificateFacts(renewed).notAfter.getTime()).toBeGreaterThan(Date.now() + 80 * 86_400_000);
    expect(coversNames(renewed, storeNames(ns))).toBe(true);
  });

  it("Auto: renews a certificate when its renewal point comes, with no change to the store", async () => {
    const ns = await createNamespace(env.clients, "tls-requeue");
    const ca = await createCa("pre-existing CA");
    // Backdated 5 minutes by issueCertificate: with 156 s more, two thirds of its life end ~4 s from now.
    const short = await issueCertificate(ca, {
      commonName: "orders",
      dnsNames: everyDnsName(ns),
      validityMs: 156_000,
    });
    const facts = certificateFacts(short.certPem);
    const renewalAt =
      facts.notBefore.getTime() + ((facts.notAfter.getTime() - facts.notBefore.getTime()) * 2) / 3;
    await createAutoSecrets(ns, ca, short);
    await createStore(env.clients, ns, "orders", { replicas: 1 });
    await waitForStatus(
      env.clients,
      ns,
      "orders",
      (s) => conditionOf(s, "TLS")?.status === "True",
      "TLS True",
    );

    const renewed = await eventually(
      async () => {
        const pem = text(await readSecret(ns, "orders-tls"), "tls.crt");
        if (pem === short.certPem) throw new Error("still the short-lived certificate");
        return pem;
      },
      { timeoutMs: 30_000, what: "the certificate renewed at its renewal point" },
    );
    // Issued (notBefore is backdated 5 minutes) no earlier than the renewal point: not at once.
    const issuedAt = certificateFacts(renewed).notBefore.getTime() + 5 * 60_000;
    expect(issuedAt).toBeGreaterThanOrEqual(renewalAt - 1_000);
    expect(signedBy(renewed, ca.certPem)).toBe(true);
  });

  it("Secret: a Secret without ca.crt is a TLS condition and a Warning event, fixed once the Secret is", async () => {
    const ns = await createNamespace(env.clients, "tls-secret");
    const ca = await createCa("user CA");
    const leaf = await issueCertificate(ca, {
      commonName: "orders",
      dnsNames: everyDnsName(ns),
    });
    await env.clients.core.createNamespacedSecret({
      namespace: ns,
      body: tlsSecret(ns, "mine", { "tls.crt": leaf.certPem, "tls.key": leaf.keyPem }),
    });
    await createStore(env.clients, ns, "orders", {
      replicas: 1,
      tls: { mode: "Secret", secretName: "mine" },
    });
    const bad = await waitForStatus(
      env.clients,
      ns,
      "orders",
      (s) => conditionOf(s, "TLS")?.reason === "SecretInvalid",
      "TLS SecretInvalid",
    );
    expect(conditionOf(bad, "TLS")?.status).toBe("False");
    expect(conditionOf(bad, "TLS")?.message).toContain("Secret mine lacks ca.crt");
    const event = await waitForEvent(env.clients, ns, "orders", "TLSSecretInvalid");
    expect(event.type).toBe("Warning");
    // The pods mount the user's Secret; they wait for it rather than crash.
    const sts = await env.clients.apps.readNamespacedStatefulSet({ namespace: ns, name: "orders" });
    expect(sts.spec?.template.spec?.volumes?.find((v) => v.name === "tls")?.secret?.secretName).toBe("mine");

    await env.clients.core.replaceNamespacedSecret({
      namespace: ns,
      name: "mine",
      body: tlsSecret(ns, "mine", { "tls.crt": leaf.certPem, "tls.key": leaf.keyPem, "ca.crt": ca.certPem }),
    });
    const good = await waitForStatus(
      env.clients,
      ns,
      "orders",
      (s) => conditionOf(s, "TLS")?.status === "True",
      "TLS True after the fix",
      45_000,
    );
    expect(good.status?.tls?.secretName).toBe("mine");
    const bundle = await env.clients.core.readNamespacedConfigMap({ namespace: ns, name: "orders-ca" });
    expect(bundle.data?.["ca.crt"]).toBe(ca.certPem);
  });

  it("Disabled: a peer Secret, a TLSDisabled Warning event and a False TLS condition saying plain HTTP", async () => {
    const ns = await createNamespace(env.clients, "tls-off");
    await createStore(env.clients, ns, "orders", { replicas: 1, tls: { mode: "Disabled" } });
    const status = await waitForStatus(
      env.clients,
      ns,
      "orders",
      (s) => conditionOf(s, "TLS") !== undefined,
      "a TLS condition",
    );
    const condition = conditionOf(status, "TLS");
    expect(condition).toMatchObject({ status: "False", reason: "Disabled" });
    expect(condition?.message).toContain("plain HTTP");
    const event = await waitForEvent(env.clients, ns, "orders", "TLSDisabled");
    expect(event.type).toBe("Warning");
    const peer = await readSecret(ns, "orders-peer");
    expect(Buffer.from(text(peer, "secret"), "base64url")).toHaveLength(32);
    const sts = await env.clients.apps.readNamespacedStatefulSet({ namespace: ns, name: "orders" });
    const containerEnv = sts.spec?.template.spec?.containers[0]?.env ?? [];
    expect(containerEnv.find((e) => e.name === "REPLISTORE_PEER_SECRET")?.valueFrom?.secretKeyRef?.name).toBe(
      "orders-peer",
    );
  });

  it("CertManager: a Certificate the real cert-manager CRD accepts, the bundle once the Secret is issued; to Auto drops it", async () => {
    const ns = await createNamespace(env.clients, "tls-cm");
    const store = await createStore(env.clients, ns, "orders", {
      replicas: 1,
      tls: { mode: "CertManager", issuerRef: { name: "corp-ca", kind: "ClusterIssuer" } },
    });
    const pending = await waitForStatus(
      env.clients,
      ns,
      "orders",
      (s) => conditionOf(s, "TLS")?.reason === "CertificatePending",
      "TLS CertificatePending",
    );
    expect(conditionOf(pending, "TLS")?.message).toContain("ClusterIssuer corp-ca");
    const certificate = (await env.clients.custom.getNamespacedCustomObject({
      group: "cert-manager.io",
      version: "v1",
      namespace: ns,
      plural: "certificates",
      name: "orders-tls",
    })) as { metadata: { ownerReferences?: { uid: string }[] }; spec: Record<string, unknown> };
    expect(certificate.metadata.ownerReferences?.[0]?.uid).toBe(store.metadata.uid);
    expect(certificate.spec).toMatchObject({
      secretName: "orders-tls",
      issuerRef: { name: "corp-ca", kind: "ClusterIssuer", group: "cert-manager.io" },
      usages: expect.arrayContaining(["server auth", "client auth"]),
      dnsNames: expect.arrayContaining([`*.orders-peers.${ns}.svc`, `orders.${ns}.svc`]),
    });

    // Play cert-manager: write the Secret the Certificate names.
    const ca = await createCa("corp CA");
    const leaf = await leafFor(ns, ca);
    await env.clients.core.createNamespacedSecret({
      namespace: ns,
      body: {
        ...tlsSecret(ns, "orders-tls", {
          "tls.crt": leaf.certPem,
          "tls.key": leaf.keyPem,
          "ca.crt": ca.certPem,
        }),
        // As cert-manager marks the Secrets it writes.
        metadata: {
          name: "orders-tls",
          namespace: ns,
          annotations: { "cert-manager.io/certificate-name": "orders-tls" },
        },
        type: "kubernetes.io/tls",
      },
    });
    const issued = await waitForStatus(
      env.clients,
      ns,
      "orders",
      (s) => conditionOf(s, "TLS")?.status === "True",
      "TLS True once issued",
    );
    expect(conditionOf(issued, "TLS")?.reason).toBe("CertManager");
    const bundle = await env.clients.core.readNamespacedConfigMap({ namespace: ns, name: "orders-ca" });
    expect(bundle.data?.["ca.crt"]).toBe(ca.certPem);
    await waitForEvent(env.clients, ns, "orders", "TLSReady");

    // Switched to Auto: the Certificate goes (cert-manager would fight over the Secret), the
    // operator's own CA issues the certificate.
    await patchSpec(env.clients, ns, "orders", { tls: { mode: "Auto", issuerRef: null } });
    await eventually(
      async () => {
        const secret = await readSecret(ns, "orders-tls");
        const caSecret = await readSecret(ns, "orders-ca").catch(() => undefined);
        if (!caSecret || !signedBy(text(secret, "tls.crt"), text(caSecret, "ca.crt"))) {
          throw new Error("not yet issued by the store's CA");
        }
      },
      { timeoutMs: 30_000, what: "Auto's certificate after the switch" },
    );
    const left = await env.clients.custom
      .getNamespacedCustomObject({
        group: "cert-manager.io",
        version: "v1",
        namespace: ns,
        plural: "certificates",
        name: "orders-tls",
      })
      .then(
        () => "still there",
        () => "gone",
      );
    expect(left).toBe("gone");
  });

  /** A stand-in node: HTTPS with the store's certificate, at 127.0.0.1 as its "pod IP". */
  async function standInNode(ns: string, ca: Awaited<ReturnType<typeof createCa>>) {
    const leaf = await leafFor(ns, ca);
    const server = createServer({ cert: leaf.certPem, key: leaf.keyPem }, (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" }).end("replistore_conflicts_pending 0\n");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const pod = {
      name: "orders-0",
      ip: "127.0.0.1",
      port,
      ready: true,
      phase: "Running",
      restarts: 0,
      node: undefined,
      startedAt: undefined,
    };
    return { server, pod };
  }

  it("the operator reaches a TLS node at its pod IP, trusting only the store's CA under the client Service's name", async () => {
    const ns = await createNamespace(env.clients, "tls-access");
    const ca = await createCa("store CA");
    const { server, pod } = await standInNode(ns, ca);
    try {
      const access = new NodeAccess(env.clients.config, newApiStats());
      const publish = (pem: string) =>
        env.clients.core.createNamespacedConfigMap({
          namespace: ns,
          body: { metadata: { name: "orders-ca" }, data: { "ca.crt": pem } },
        });

      await publish(ca.certPem);
      const [endpoint] = await access.storeEndpoints(ns, "orders", [pod]);
      const answer = await endpoint?.call(nodeRequest("GET", "/metrics"));
      expect(answer?.status).toBe(200);

      // Another store's CA: refused, as a client with an untrusted CA must be.
      const other = await createCa("another CA");
      await env.clients.core.deleteNamespacedConfigMap({ namespace: ns, name: "orders-ca" });
      await publish(other.certPem);
      const fresh = new NodeAccess(env.clients.config, newApiStats());
      const [untrusting] = await fresh.storeEndpoints(ns, "orders", [pod]);
      await expect(untrusting?.call(nodeRequest("GET", "/metrics"))).rejects.toThrow();
    } finally {
      server.close();
    }
  });

  it("takes the CA bundle from the operator's ConfigMap cache when it has it, reading nothing", async () => {
    const ns = await createNamespace(env.clients, "tls-cached-ca");
    const ca = await createCa("store CA");
    const { server, pod } = await standInNode(ns, ca);
    try {
      let cachedPem = ca.certPem;
      const stats = newApiStats();
      const access = new NodeAccess(env.clients.config, stats, "pod-ip", (namespace, name) =>
        namespace === ns && name === "orders-ca" ? { data: { "ca.crt": cachedPem } } : undefined,
      );
      // No orders-ca ConfigMap exists in the apiserver: only the cache has it.
      const [endpoint] = await access.storeEndpoints(ns, "orders", [pod]);
      expect((await endpoint?.call(nodeRequest("GET", "/metrics")))?.status).toBe(200);
      expect(stats.reads, "API reads for the CA bundle").toBe(0);

      // A renewed bundle in the cache counts at once (no minute-long memory of the old one).
      cachedPem = (await createCa("another CA")).certPem;
      const [untrusting] = await access.storeEndpoints(ns, "orders", [pod]);
      await expect(untrusting?.call(nodeRequest("GET", "/metrics"))).rejects.toThrow();
      expect(stats.reads).toBe(0);
    } finally {
      server.close();
    }
  });
});
