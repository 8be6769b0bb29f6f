/** When Auto issues the nodes' certificate again: each reason, and none for a good certificate. */
import type { V1Secret } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { leafProblem } from "../../../../src/operator/tls/auto.ts";
import { createCa, issueCertificate, type KeyPairPem } from "../../../../src/tls/pki.ts";

const NAMES = ["*.orders-peers.shop.svc", "orders.shop.svc"];
const DAY = 86_400_000;

function secret(leaf: KeyPairPem, caPem: string): V1Secret {
  const b64 = (text: string) => Buffer.from(text).toString("base64");
  return { data: { "tls.crt": b64(leaf.certPem), "tls.key": b64(leaf.keyPem), "ca.crt": b64(caPem) } };
}

describe("leafProblem", async () => {
  const ca = await createCa("store CA");
  const other = await createCa("another CA");
  const good = await issueCertificate(ca, { commonName: "orders", dnsNames: NAMES });
  const now = new Date();

  it("accepts a fresh certificate of the store's CA covering its names", () => {
    expect(leafProblem(secret(good, ca.certPem), ca, NAMES, now)).toBeUndefined();
  });

  it("issues when there is none, or the Secret lacks the key", () => {
    expect(leafProblem(undefined, ca, NAMES, now)).toBe("none issued yet");
    const keyless: V1Secret = { data: { "tls.crt": secret(good, ca.certPem).data?.["tls.crt"] ?? "" } };
    expect(leafProblem(keyless, ca, NAMES, now)).toBe("none issued yet");
  });

  it("issues when the certificate is another CA's", async () => {
    const foreign = await issueCertificate(other, { commonName: "orders", dnsNames: NAMES });
    expect(leafProblem(secret(foreign, ca.certPem), ca, NAMES, now)).toBe("not signed by the store's CA");
    expect(leafProblem(secret(good, other.certPem), ca, NAMES, now)).toBe("its ca.crt is not the store's CA");
  });

  it("issues at two thirds of the certificate's life, not before", () => {
    expect(
      leafProblem(secret(good, ca.certPem), ca, NAMES, new Date(now.getTime() + 59 * DAY)),
    ).toBeUndefined();
    expect(leafProblem(secret(good, ca.certPem), ca, NAMES, new Date(now.getTime() + 61 * DAY))).toBe(
      "due for renewal",
    );
  });

  it("issues when the store's names are no longer covered (another cluster domain)", () => {
    expect(
      leafProblem(secret(good, ca.certPem), ca, [...NAMES, "orders.shop.svc.example.internal"], now),
    ).toBe("does not cover the store's names");
  });
});
