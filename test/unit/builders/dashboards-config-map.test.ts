import { describe, expect, it } from "vitest";
import { buildDashboardsConfigMap } from "../../../src/builders/dashboards-config-map.ts";
import { store } from "./fixtures.ts";

interface Dashboard {
  uid: string;
  title: string;
  templating: { list: Array<{ name: string; current?: { value: string } }> };
}

describe("dashboards ConfigMap", () => {
  it("is built only when spec.monitoring.dashboard asks", () => {
    expect(buildDashboardsConfigMap(store({}))).toBeUndefined();
  });

  const map = buildDashboardsConfigMap(store({ monitoring: { dashboard: true } }))!;
  const dashboards = Object.values(map.data ?? {}).map((text) => JSON.parse(text) as Dashboard);

  it("holds the store dashboards, labelled for the Grafana sidecar and owned by the store", () => {
    expect(map.metadata?.name).toBe("orders-dashboards");
    expect(map.metadata?.labels?.grafana_dashboard).toBe("1");
    expect(map.metadata?.ownerReferences?.[0]?.name).toBe("orders");
    expect(dashboards.map((d) => d.title).sort()).toEqual([
      expect.stringContaining("(shop/orders)"),
      expect.stringContaining("(shop/orders)"),
      expect.stringContaining("(shop/orders)"),
    ]);
    expect(JSON.stringify(map).length).toBeLessThan(1024 * 1024);
  });

  it("gives each dashboard a uid of this store's, within Grafana's 40 characters", () => {
    const other = buildDashboardsConfigMap(store({ monitoring: { dashboard: true } }, "payments"))!;
    const otherUids = Object.values(other.data ?? {}).map((t) => (JSON.parse(t) as Dashboard).uid);
    for (const d of dashboards) {
      expect(d.uid.length).toBeLessThanOrEqual(40);
      expect(otherUids).not.toContain(d.uid);
    }
  });

  it("presets the namespace and store variables to this store", () => {
    for (const d of dashboards) {
      const vars = Object.fromEntries(d.templating.list.map((v) => [v.name, v.current?.value]));
      expect(vars.namespace).toBe("shop");
      expect(vars.store).toBe("orders-peers");
    }
  });
});
