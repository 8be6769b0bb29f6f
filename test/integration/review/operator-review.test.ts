/**
 * The operator's review page (`replistore operator --review-listen`), in headless Chromium, against a
 * real apiserver: the operator reconciles two stores, the real StatefulSet controller makes their
 * pods, the test plays kubelet (pod IP and readiness), and real node processes answer at those pod
 * IPs (pod-network.ts). The page lists both stores, asks for the token of the one that has one,
 * and resolves its conflict by writing a new value, which another node then serves.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CRD_FILE } from "../../../src/api/crd-yaml.ts";
import { type CliProcess, startCli } from "../../support/cli.ts";
import { eventually, freePort, uniqueKey } from "../../support/index.ts";
import { useControlPlane } from "../../support/k8s/fixture.ts";
import { createNamespace, playKubelet } from "../../support/k8s/index.ts";
import { canMakePodNetwork, PodNetwork, PodStore } from "../kubectl-plugin/pod-network.ts";
import { createStore } from "../operator/harness.ts";
import { HOSTILE_VALUE, launchChromium, type MadeConflict, makePartialWrite } from "./helpers.ts";

const TOKEN = "operator-review-token";

const unavailable = canMakePodNetwork();

describe.skipIf(unavailable !== undefined)(
  `operator review page${unavailable ? ` (skipped: ${unavailable})` : ""}`,
  () => {
    let net: PodNetwork;
    let orders: PodStore;
    let carts: PodStore;
    let operator: CliProcess;
    let url: string;
    let dir: string;
    let ns: string;
    let conflict: MadeConflict;
    let browser: Browser;
    let page: Page;

    const env = useControlPlane({
      crds: [CRD_FILE],
      alongside: async () => {
        dir = await mkdtemp(join(tmpdir(), "replistore-operator-review-"));
        net = PodNetwork.create(4);
        orders = new PodStore(net, join(dir, "orders"), ["orders-0", "orders-1", "orders-2"], {
          token: TOKEN,
        });
        carts = new PodStore(net, join(dir, "carts"), ["carts-0"], { first: 3 });
        await Promise.all([orders.boot({ limits: { requestTimeoutMs: 1_500 } }), carts.boot()]);
      },
    });

    beforeAll(async () => {
      ns = await createNamespace(env.clients, "review");
      await env.clients.core.createNamespacedSecret({
        namespace: ns,
        body: { metadata: { name: "orders-token" }, stringData: { token: TOKEN } },
      });
      for (const [name, spec] of [
        // plain HTTP: these pods have no certificate from the operator (tests/integration/tls covers TLS)
        ["orders", { replicas: 3, auth: { secretName: "orders-token" }, tls: { mode: "Disabled" } }],
        ["carts", { replicas: 1, tls: { mode: "Disabled" } }],
      ] as const) {
        await createStore(env.clients, ns, name, spec);
      }
      const port = await freePort();
      operator = startCli([
        "operator",
        "--kubeconfig",
        env.plane.kubeconfigPath,
        "--no-leader-elect",
        "-n",
        ns,
        "--review-listen",
        `127.0.0.1:${port}`,
        "--log-level",
        "info",
      ]);
      url = `http://127.0.0.1:${port}/`;
      // the StatefulSet controller makes the pods; we are their kubelet
      for (const i of [0, 1, 2]) await playKubelet(env.clients, ns, `orders-${i}`, orders.podIp(i));
      await playKubelet(env.clients, ns, "carts-0", carts.podIp(0));
      conflict = await makePartialWrite(orders, uniqueKey("op-review"), "the value before", HOSTILE_VALUE);
      browser = await launchChromium();
      page = await browser.newPage();
    });

    afterAll(async () => {
      await browser?.close();
      if (operator && operator.child.exitCode === null) {
        operator.child.kill("SIGTERM");
        await operator.exited;
      }
      await orders?.stop();
      await carts?.stop();
      net?.destroySync();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it("lists every store it manages, asking for the token of the one that has one", async () => {
      await eventually(
        async () => {
          const res = await fetch(`${url}api/stores`, { headers: { "x-replistore-review": "1" } });
          const body = (await res.json()) as { stores: { id: string }[] };
          expect(body.stores.map((s) => s.id)).toEqual([`${ns}/carts`, `${ns}/orders`]);
        },
        { timeoutMs: 30_000, what: `the operator's review page lists both stores\n${operator.output()}` },
      );
      await page.goto(url);
      const cartsSection = page.locator(`section.store[data-store="${ns}/carts"]`);
      const ordersSection = page.locator(`section.store[data-store="${ns}/orders"]`);
      await expect.poll(() => cartsSection.locator(".body").textContent()).toContain("No pending conflicts");
      await expect.poll(() => ordersSection.locator(".count").textContent()).toBe("token needed");
      expect(await ordersSection.locator(".body").textContent()).toContain(
        `kubectl -n ${ns} get secret orders-token`,
      );
      await ordersSection.locator("input.token-input").fill(TOKEN);
      await ordersSection.locator("button.token-save").click();
      await ordersSection.locator(`tr.conflict[data-conflict="${conflict.id}"]`).waitFor();
      expect(await ordersSection.locator(".count").textContent()).toBe("1 pending");
    });

    it("resolves the conflict with a new value after confirmation; another node serves it", async () => {
      await page.locator(`tr.conflict[data-conflict="${conflict.id}"]`).click();
      const detail = page.locator("#detail");
      const partial = detail.locator(`article.version[data-version="${conflict.partial}"]`);
      await partial.waitFor();
      expect(await partial.locator("pre.value").textContent()).toBe(HOSTILE_VALUE);
      expect(await detail.locator(".answered-by").textContent()).toMatch(/^orders-\d$/);

      await page.locator("#who").fill("oncall@example.com");
      await detail.locator("input.choice-value").check();
      await detail.locator("textarea.new-value").fill("settled by hand");
      await detail.locator("textarea.note").fill("neither version was right");
      await detail.locator("button.resolve").click();
      const dialog = page.locator("dialog#confirm");
      await expect.poll(() => dialog.isVisible()).toBe(true);
      expect(await dialog.locator("#confirm-summary").textContent()).toContain("settled by hand");
      await dialog.locator("#confirm-ok").click();
      await expect
        .poll(() => detail.locator(".notice").textContent(), { timeout: 15_000 })
        .toContain("Resolved");
      await expect
        .poll(() => page.locator(`section.store[data-store="${ns}/orders"] .body`).textContent())
        .toContain("No pending conflicts");

      const answered = (await detail.locator(".answered-by").textContent()) ?? "";
      const other = [0, 1, 2].find((i) => orders.id(i) !== answered)!;
      await eventually(
        async () => {
          const rec = await orders.client(other).request("GET", `/v1/conflicts/${conflict.id}`);
          expect(rec.body).toMatchObject({
            status: "resolved",
            resolution: { by: "oncall@example.com", kept: null, note: "neither version was right" },
          });
          expect((await orders.client(other).get(conflict.key, { local: true })).text).toBe(
            "settled by hand",
          );
        },
        { timeoutMs: 15_000, what: `${orders.id(other)} serves the resolution` },
      );
      expect(await page.evaluate(() => (globalThis as unknown as { __xss?: string }).__xss)).toBeUndefined();
    });

    it("says when a store's nodes cannot be reached", async () => {
      await carts.kill(0);
      const res = await fetch(`${url}api/stores/${encodeURIComponent(`${ns}/carts`)}/conflicts`, {
        headers: { "x-replistore-review": "1" },
      });
      expect(res.status).toBe(502);
      expect(await res.json()).toMatchObject({ error: "unreachable" });
      expect(
        (
          await fetch(`${url}api/stores/${encodeURIComponent(`${ns}/nope`)}/conflicts`, {
            headers: { "x-replistore-review": "1" },
          })
        ).status,
      ).toBe(404);
    });
  },
);
