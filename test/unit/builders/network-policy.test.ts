import { describe, expect, it } from "vitest";
import { nodeSelectorLabels } from "../../../src/builders/labels.ts";
import { buildNetworkPolicy } from "../../../src/builders/network-policy.ts";
import { buildRepairCronJob } from "../../../src/builders/repair-cronjob.ts";
import { context, store } from "./fixtures.ts";

describe("NetworkPolicy", () => {
  const s = store();
  const policy = buildNetworkPolicy(s, context());
  const [rule] = policy.spec?.ingress ?? [];

  it("guards the node pods' ingress: the client port for clients, the peer port for the store's pods only", () => {
    expect(policy.spec?.podSelector?.matchLabels).toEqual(nodeSelectorLabels(s));
    expect(policy.spec?.policyTypes).toEqual(["Ingress"]);
    expect(policy.spec?.ingress).toHaveLength(2);
    expect(rule?.ports).toEqual([{ protocol: "TCP", port: 7070 }]);
    const peerRule = policy.spec?.ingress?.[1];
    expect(peerRule?.ports).toEqual([{ protocol: "TCP", port: 7071 }]);
    expect(peerRule?._from).toEqual([{ podSelector: { matchLabels: { "replistore.io/store": "orders" } } }]);
  });

  it("admits the store's own pods, including the repair job", () => {
    const repairLabels =
      buildRepairCronJob(s, context()).spec?.jobTemplate.spec?.template.metadata?.labels ?? {};
    const storePeer = rule?._from?.find(
      (p) => p.podSelector && !p.namespaceSelector && p.podSelector.matchLabels?.["replistore.io/store"],
    );
    expect(storePeer?.podSelector?.matchLabels).toEqual({ "replistore.io/store": "orders" });
    expect(repairLabels["replistore.io/store"]).toBe("orders");
  });

  it("admits clients labelled replistore.io/client-of=<name>, by pod or by namespace", () => {
    expect(rule?._from).toContainEqual({
      podSelector: { matchLabels: { "replistore.io/client-of": "orders" } },
    });
    expect(rule?._from).toContainEqual({
      namespaceSelector: { matchLabels: { "replistore.io/client-of": "orders" } },
    });
  });

  it("admits a monitoring namespace (replistore.io/monitoring=true) for every store", () => {
    const other = buildNetworkPolicy(store({}, "payments"), context()).spec?.ingress?.[0];
    for (const r of [rule, other]) {
      expect(r?._from).toContainEqual({
        namespaceSelector: { matchLabels: { "replistore.io/monitoring": "true" } },
      });
    }
  });

  it("admits the operator's pods only in the operator's namespace (one peer, both selectors)", () => {
    expect(rule?._from).toContainEqual({
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "replistore-system" } },
      podSelector: { matchLabels: { "app.kubernetes.io/name": "replistore-operator" } },
    });
    expect(rule?._from).toHaveLength(5);
  });
});
