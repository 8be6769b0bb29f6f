/** A CA and a node certificate for a test store on loopback, in the layout nodes read. */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createCa, issueCertificate, type KeyPairPem } from "../../src/tls/pki.ts";

export interface StoreTls {
  /** the node's TLS directory: tls.crt, tls.key, ca.crt */
  dir: string;
  caPem: string;
  ca: KeyPairPem;
  cert: KeyPairPem;
}

export const LOOPBACK_NAMES = { dnsNames: ["localhost"], ipAddresses: ["127.0.0.1", "::1"] };

export async function writeTlsDir(dir: string, ca: KeyPairPem, cert: KeyPairPem): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "tls.crt"), cert.certPem);
  await writeFile(join(dir, "tls.key"), cert.keyPem, { mode: 0o600 });
  await writeFile(join(dir, "ca.crt"), ca.certPem);
}

export async function writeStoreTls(dir: string): Promise<StoreTls> {
  const ca = await createCa("replistore test CA");
  const cert = await issueCertificate(ca, { commonName: "test store", ...LOOPBACK_NAMES });
  await writeTlsDir(dir, ca, cert);
  return { dir, caPem: ca.certPem, ca, cert };
}
