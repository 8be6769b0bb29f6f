import { describe, expect, it } from "vitest";
import { nodeSelectorLabels } from "../../../src/builders/labels.ts";
import { buildClientService, buildPeersService } from "../../../src/builders/services.ts";
import { store } from "./fixtures.ts";

describe("Services", () => {
  const s = store();

  it("peers: headless, publishing pods before they are ready", () => {
    const svc = buildPeersService(s);
    expect(svc.metadata?.name).toBe("orders-peers");
    expect(svc.spec?.clusterIP).toBe("None");
    expect(svc.spec?.publishNotReadyAddresses).toBe(true);
    expect(svc.spec?.selector).toEqual(nodeSelectorLabels(s));
    expect(svc.spec?.ports).toEqual([
      { name: "http", port: 7070, targetPort: "http", protocol: "TCP" },
      { name: "peer", port: 7071, targetPort: "peer", protocol: "TCP" },
    ]);
  });

  it("client: a ClusterIP over ready nodes only", () => {
    const svc = buildClientService(s);
    expect(svc.metadata?.name).toBe("orders");
    expect(svc.spec?.type).toBe("ClusterIP");
    expect(svc.spec?.clusterIP).toBeUndefined();
    expect(svc.spec?.publishNotReadyAddresses).toBeUndefined();
    expect(svc.spec?.selector).toEqual(nodeSelectorLabels(s));
  });
});
