import { describe, expect, it } from "vitest";
import { buildRepairCronJob } from "../../../src/builders/repair-cronjob.ts";
import { buildStatefulSet } from "../../../src/builders/statefulset.ts";
import { context, store } from "./fixtures.ts";

describe("repair CronJob", () => {
  it("runs `replistore repair` on spec.antiEntropy.schedule, never two at once", () => {
    const job = buildRepairCronJob(
      store({ antiEntropy: { schedule: "0 * * * *", suspend: true } }),
      context(),
    );
    expect(job.metadata?.name).toBe("orders-repair");
    expect(job.spec?.schedule).toBe("0 * * * *");
    expect(job.spec?.suspend).toBe(true);
    expect(job.spec?.concurrencyPolicy).toBe("Forbid");
    const pod = job.spec?.jobTemplate.spec?.template.spec;
    const [c] = pod?.containers ?? [];
    expect(c?.args).toEqual(["repair", "--config", "/etc/replistore/cluster.json"]);
    expect(pod?.restartPolicy).toBe("Never");
    // The summary goes to the default termination log, where the operator reads it.
    expect(c?.terminationMessagePath).toBeUndefined();
    expect(c?.terminationMessagePolicy).toBeUndefined();
  });

  it("defaults to the manifest's schedule, not suspended", () => {
    const job = buildRepairCronJob(store(), context());
    expect(job.spec?.schedule).toBe("*/15 * * * *");
    expect(job.spec?.suspend).toBe(false);
  });

  it("uses the nodes' image, config volume, token and security context", () => {
    const s = store({ auth: { secretName: "orders-token" }, image: "img:2" });
    const job = buildRepairCronJob(s, context());
    const sts = buildStatefulSet(s, context());
    const pod = job.spec?.jobTemplate.spec?.template.spec;
    const nodePod = sts.spec?.template.spec;
    const [c] = pod?.containers ?? [];
    expect(c?.image).toBe("img:2");
    expect(c?.env).toContainEqual({
      name: "REPLISTORE_TOKEN",
      valueFrom: { secretKeyRef: { name: "orders-token", key: "token" } },
    });
    expect(pod?.volumes?.find((v) => v.name === "config")).toEqual(
      nodePod?.volumes?.find((v) => v.name === "config"),
    );
    expect(c?.securityContext).toEqual(nodePod?.containers[0]?.securityContext);
    expect(pod?.securityContext).toEqual(nodePod?.securityContext);
  });
});
