/**
 * `replistore up`'s stand-in for the operator's `spec.tls.mode: Auto`: a CA per store under the
 * data dir (kept across runs, so clients that trust it keep working) and the one certificate
 * every local node serves and presents to its peers, reissued when due or when the address
 * changes. Without TLS: the peer secret, generated once like the token.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  coversNames,
  createCa,
  issueCertificate,
  type KeyPairPem,
  renewalDue,
  signedBy,
} from "../tls/pki.ts";
import { writeFileAtomic } from "./atomic-write.ts";
import type { StorePaths } from "./paths.ts";

export interface LocalTls {
  /** the directory a node reads: tls.crt, tls.key, ca.crt */
  dir: string;
  /** the CA clients trust: <dir>/ca.crt */
  caFile: string;
  caPem: string;
  /** what happened this run, for the output */
  made: "reused" | "issued" | "created";
}

const LOOPBACK = ["localhost", "127.0.0.1", "::1"];

function read(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** Names the certificate must cover: loopback, and the bind host when it is a real address. */
export function localCertificateNames(host: string): { dnsNames: string[]; ipAddresses: string[] } {
  const names = new Set(LOOPBACK);
  if (host !== "0.0.0.0" && host !== "::") names.add(host.replace(/^\[|\]$/g, ""));
  const all = [...names];
  const isIp = (n: string) => /^[0-9.]+$/.test(n) || n.includes(":");
  return { dnsNames: all.filter((n) => !isIp(n)), ipAddresses: all.filter(isIp) };
}

export async function ensureLocalTls(paths: StorePaths, store: string, host: string): Promise<LocalTls> {
  const dir = paths.tlsDir;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const caFile = join(dir, "ca.crt");
  const caKeyFile = join(dir, "ca.key");
  let made: LocalTls["made"] = "reused";
  let ca: KeyPairPem;
  const caPem = read(caFile);
  const caKey = read(caKeyFile);
  if (caPem !== undefined && caKey !== undefined) {
    ca = { certPem: caPem, keyPem: caKey };
  } else {
    ca = await createCa(`replistore ${store} local CA`);
    writeFileAtomic(caKeyFile, ca.keyPem, 0o600);
    writeFileAtomic(caFile, ca.certPem);
    made = "created";
  }
  const names = localCertificateNames(host);
  const cert = read(join(dir, "tls.crt"));
  const current =
    cert !== undefined &&
    read(join(dir, "tls.key")) !== undefined &&
    signedBy(cert, ca.certPem) &&
    !renewalDue(cert) &&
    coversNames(cert, [...names.dnsNames, ...names.ipAddresses]);
  if (!current) {
    const leaf = await issueCertificate(ca, { commonName: `${store} local nodes`, ...names });
    // The key first: a node that polls between the two writes sees a mismatched pair and keeps its old one.
    writeFileAtomic(join(dir, "tls.key"), leaf.keyPem, 0o600);
    writeFileAtomic(join(dir, "tls.crt"), leaf.certPem);
    if (made === "reused") made = "issued";
  }
  return { dir, caFile, caPem: ca.certPem, made };
}
