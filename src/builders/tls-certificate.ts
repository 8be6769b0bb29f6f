/**
 * CertManager mode: a cert-manager `Certificate` asking spec.tls.issuerRef for the store's one
 * certificate, written by cert-manager into `<store>-tls` (tls.crt, tls.key, ca.crt), which the
 * pods mount. cert-manager renews it (by default at two thirds of its life) and rewrites the Secret.
 */
import type { BuildContext, StoreResource } from "./context.ts";
import { ownedMetadata } from "./labels.ts";
import { certificateDnsNames, certificateName, tlsSecretName } from "./tls-names.ts";
import type { UnstructuredObject } from "./unstructured.ts";

export const CERT_MANAGER_API_VERSION = "cert-manager.io/v1";

export function buildCertificate(
  store: StoreResource,
  ctx: Pick<BuildContext, "clusterDomain">,
): UnstructuredObject | undefined {
  const { mode, issuerRef } = store.spec.tls;
  if (mode !== "CertManager" || issuerRef === undefined) return undefined;
  return {
    apiVersion: CERT_MANAGER_API_VERSION,
    kind: "Certificate",
    metadata: ownedMetadata(store, certificateName(store), "tls"),
    spec: {
      secretName: tlsSecretName(store),
      // Labels on the Secret cert-manager writes, so `kubectl get -l replistore.io/store=…` lists it.
      secretTemplate: { labels: ownedMetadata(store, tlsSecretName(store), "tls").labels ?? {} },
      commonName: `${store.metadata.name}.${store.metadata.namespace}.svc`,
      dnsNames: certificateDnsNames(store, ctx),
      duration: "2160h",
      renewBefore: "720h",
      // Nodes present the same certificate to clients and, as peers, to each other.
      usages: ["server auth", "client auth", "digital signature", "key encipherment"],
      privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
      issuerRef: { name: issuerRef.name, kind: issuerRef.kind, group: issuerRef.group },
    },
  };
}
