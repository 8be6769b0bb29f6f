/**
 * spec.tls.mode Auto: the operator is the store's CA. The CA (`<store>-ca` Secret) is made once and
 * kept: replacing it would break every client that trusts the published bundle. The one node
 * certificate (`<store>-tls`) is issued again when it is due for renewal (two thirds of its life),
 * no longer covers the store's names, or was not signed by this CA. Nodes pick the new files up
 * from their Secret volume by themselves, so a renewal restarts nothing.
 */
import type { KubernetesObject, V1Secret } from "@kubernetes/client-node";
import {
  caSecretName,
  certificateDnsNames,
  certificateName,
  tlsSecretName,
} from "../../builders/tls-names.ts";
import { buildCaSecret, buildLeafSecret, type PemPair } from "../../builders/tls-objects.ts";
import {
  certificateFacts,
  coversNames,
  createCa,
  issueCertificate,
  renewalDue,
  signedBy,
} from "../../tls/pki.ts";
import { applyOwned, deleteOwned, liveObject } from "../children/apply-owned.ts";
import { SECRETS } from "../controller/resource-kinds.ts";
import type { ReconcileScope } from "../scope.ts";
import { CERTIFICATES } from "./cert-manager.ts";
import { secretText } from "./secret-data.ts";
import { enabledReport, publishCa, requeueWithin } from "./tls-common.ts";
import type { TlsReport } from "./tls-report.ts";

/** cert-manager marks the Secrets it writes with the Certificate's name. */
const CERT_MANAGER_ANNOTATION = "cert-manager.io/certificate-name";

function caOf(secret: KubernetesObject | undefined): PemPair | undefined {
  const certPem = secretText(secret, "ca.crt");
  const keyPem = secretText(secret, "ca.key");
  return certPem && keyPem ? { certPem, keyPem } : undefined;
}

async function ensureCa(scope: ReconcileScope): Promise<PemPair> {
  const { store } = scope;
  const { namespace, uid } = store.metadata;
  const name = caSecretName(store);
  const live = await liveObject(scope, SECRETS, name);
  const existing = caOf(live);
  if (existing) return existing;
  if (live) {
    throw new Error(
      `Secret ${name} has no ca.crt and ca.key: delete it for a new CA (clients must then trust the new ConfigMap ${name})`,
    );
  }
  const ca = await createCa(`replistore ${namespace}/${store.metadata.name} CA`);
  const secret = buildCaSecret(store, ca);
  if ((await scope.applier.createIfAbsent(secret)) === "created") {
    scope.live.remember(uid, SECRETS, namespace, name, secret);
    scope.report.written.push({ verb: "created", kind: "Secret", name });
    scope.log.info({ kind: "Secret", object: name }, "created the store's CA");
    return ca;
  }
  // Another operator process made it between our read and our create: use theirs.
  const theirs = caOf(await scope.applier.read({ apiVersion: "v1", kind: "Secret", namespace, name }));
  if (!theirs) throw new Error(`Secret ${name} exists without ca.crt and ca.key`);
  return theirs;
}

/** Why the leaf in `secret` must be issued again, or undefined when it is fine. */
export function leafProblem(
  secret: KubernetesObject | undefined,
  ca: PemPair,
  dnsNames: readonly string[],
  now: Date,
): string | undefined {
  const certPem = secretText(secret, "tls.crt");
  if (!certPem || !secretText(secret, "tls.key")) return "none issued yet";
  if (secretText(secret, "ca.crt") !== ca.certPem) return "its ca.crt is not the store's CA";
  try {
    if (!signedBy(certPem, ca.certPem)) return "not signed by the store's CA";
    if (renewalDue(certPem, now)) return "due for renewal";
    if (!coversNames(certPem, dnsNames)) return "does not cover the store's names";
  } catch {
    return "unreadable";
  }
  return undefined;
}

/** When two thirds of the certificate's life will have passed (what renewalDue checks). */
function renewalAt(certPem: string): Date {
  const { notBefore, notAfter } = certificateFacts(certPem);
  return new Date(notBefore.getTime() + ((notAfter.getTime() - notBefore.getTime()) * 2) / 3);
}

export async function reconcileAutoTls(scope: ReconcileScope): Promise<TlsReport> {
  const { store } = scope;
  const now = new Date();
  const ca = await ensureCa(scope);
  const dnsNames = certificateDnsNames(store, scope.ctx);
  const name = tlsSecretName(store);
  const live = await liveObject(scope, SECRETS, name);
  // Left by CertManager mode: stop cert-manager rewriting the Secret the operator now issues.
  if (live?.metadata?.annotations?.[CERT_MANAGER_ANNOTATION] !== undefined) {
    await deleteOwned(scope, CERTIFICATES, certificateName(store));
  }
  let certPem = secretText(live, "tls.crt");
  const problem = leafProblem(live, ca, dnsNames, now);
  if (problem !== undefined || certPem === undefined) {
    const leaf = await issueCertificate(ca, {
      commonName: `${store.metadata.name}.${store.metadata.namespace}.svc`,
      dnsNames,
    });
    if (live && (live as V1Secret).type !== "kubernetes.io/tls") {
      // A Secret's type cannot change: replace one someone made with another type.
      await scope.applier.delete({
        apiVersion: "v1",
        kind: "Secret",
        namespace: store.metadata.namespace,
        name,
      });
      scope.live.remember(store.metadata.uid, SECRETS, store.metadata.namespace, name, undefined);
    }
    await applyOwned(scope, SECRETS, buildLeafSecret(store, leaf, ca.certPem));
    scope.log.info({ object: name, why: problem }, "issued the nodes' certificate");
    certPem = leaf.certPem;
  }
  await publishCa(scope, ca.certPem);
  requeueWithin(scope, renewalAt(certPem).getTime() - now.getTime());
  return enabledReport(scope, certPem, `issued by the operator's CA in Secret ${caSecretName(store)}`);
}
