/**
 * Certificates for a throwaway control plane, made with the openssl CLI (node:crypto can make keys
 * but not sign certificates). EC P-256 keys: generating them takes milliseconds, unlike RSA.
 */
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface Pki {
  caCert: string;
  caKey: string;
  /** kube-apiserver's serving certificate, valid for 127.0.0.1, localhost and the in-cluster names. */
  servingCert: string;
  servingKey: string;
  /** A client in system:masters: the admin kubeconfig and kube-controller-manager use it. */
  adminCert: string;
  adminKey: string;
  /** Signs and verifies service-account tokens. */
  serviceAccountKey: string;
  serviceAccountPub: string;
}

interface CertRequest {
  name: string;
  subject: string;
  extensions: string[];
}

async function openssl(args: string[]): Promise<void> {
  try {
    await run("openssl", args);
  } catch (error) {
    const stderr = (error as { stderr?: unknown }).stderr;
    throw new Error(`openssl ${args[0]} failed: ${String(stderr ?? error)}`);
  }
}

function keyArgs(keyPath: string): string[] {
  return ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", keyPath];
}

/**
 * A leaf certificate signed by the CA. The extensions go in a config file of our own, so that the
 * system openssl.cnf (whose defaults would mark the leaf as a CA) plays no part.
 */
async function issue(dir: string, ca: { cert: string; key: string }, request: CertRequest) {
  const config = join(dir, `${request.name}.cnf`);
  const cert = join(dir, `${request.name}.crt`);
  const key = join(dir, `${request.name}.key`);
  await writeFile(
    config,
    ["[req]", "distinguished_name = dn", "[dn]", "[ext]", ...request.extensions, ""].join("\n"),
  );
  await openssl([
    "req",
    "-x509",
    "-config",
    config,
    "-extensions",
    "ext",
    ...keyArgs(key),
    "-out",
    cert,
    "-subj",
    request.subject,
    "-days",
    "3650",
    "-CA",
    ca.cert,
    "-CAkey",
    ca.key,
  ]);
  return { cert, key };
}

const LEAF = ["basicConstraints = critical, CA:FALSE", "keyUsage = critical, digitalSignature"];

export async function createPki(dir: string, serviceIp: string): Promise<Pki> {
  const caConfig = join(dir, "ca.cnf");
  const caCert = join(dir, "ca.crt");
  const caKey = join(dir, "ca.key");
  await writeFile(
    caConfig,
    [
      "[req]",
      "distinguished_name = dn",
      "[dn]",
      "[ext]",
      "basicConstraints = critical, CA:TRUE",
      "keyUsage = critical, keyCertSign, cRLSign, digitalSignature",
      "subjectKeyIdentifier = hash",
      "",
    ].join("\n"),
  );
  await openssl([
    "req",
    "-x509",
    "-config",
    caConfig,
    "-extensions",
    "ext",
    ...keyArgs(caKey),
    "-out",
    caCert,
    "-subj",
    "/CN=replistore-test-ca",
    "-days",
    "3650",
  ]);
  const ca = { cert: caCert, key: caKey };
  const names = [
    "DNS:localhost",
    "DNS:kubernetes",
    "DNS:kubernetes.default",
    "DNS:kubernetes.default.svc",
    "DNS:kubernetes.default.svc.cluster.local",
    "IP:127.0.0.1",
    `IP:${serviceIp}`,
  ];
  const [serving, admin] = await Promise.all([
    issue(dir, ca, {
      name: "apiserver",
      subject: "/CN=kube-apiserver",
      extensions: [...LEAF, "extendedKeyUsage = serverAuth", `subjectAltName = ${names.join(", ")}`],
    }),
    issue(dir, ca, {
      name: "admin",
      subject: "/O=system:masters/CN=replistore-admin",
      extensions: [...LEAF, "extendedKeyUsage = clientAuth"],
    }),
  ]);
  const serviceAccountKey = join(dir, "sa.key");
  const serviceAccountPub = join(dir, "sa.pub");
  await openssl([
    "genpkey",
    "-algorithm",
    "EC",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-out",
    serviceAccountKey,
  ]);
  await openssl(["pkey", "-in", serviceAccountKey, "-pubout", "-out", serviceAccountPub]);
  return {
    caCert,
    caKey,
    servingCert: serving.cert,
    servingKey: serving.key,
    adminCert: admin.cert,
    adminKey: admin.key,
    serviceAccountKey,
    serviceAccountPub,
  };
}
