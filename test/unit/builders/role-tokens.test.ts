/** spec.auth with roles: which token variable each container gets from which Secret, and which Secrets exist. */
import type { V1Container } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { authSecretNames, secretFor } from "../../../src/api/auth-types.ts";
import { buildRepairCronJob } from "../../../src/builders/repair-cronjob.ts";
import { buildStatefulSet } from "../../../src/builders/statefulset.ts";
import { buildTokenSecret } from "../../../src/builders/token-secret.ts";
import { context, store } from "./fixtures.ts";

const ref = (name: string) => ({ secretKeyRef: { name, key: "token" } });

function tokenVars(c: V1Container | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const e of c?.env ?? []) if (e.name.includes("TOKEN")) out[e.name] = e.valueFrom;
  return out;
}

const nodeOf = (spec: Record<string, unknown>) =>
  buildStatefulSet(store(spec), context()).spec?.template.spec?.containers[0];
const repairOf = (spec: Record<string, unknown>) =>
  buildRepairCronJob(store(spec), context()).spec?.jobTemplate.spec?.template.spec?.containers[0];

const ROLES_ONLY = {
  auth: {
    read: { secretName: "orders-read" },
    write: { secretName: "orders-write" },
    admin: { secretName: "orders-admin" },
  },
};

describe("role tokens in the pods", () => {
  it("a node gets one variable per role Secret, and no all-roles token", () => {
    expect(tokenVars(nodeOf(ROLES_ONLY))).toEqual({
      REPLISTORE_READ_TOKEN: ref("orders-read"),
      REPLISTORE_WRITE_TOKEN: ref("orders-write"),
      REPLISTORE_ADMIN_TOKEN: ref("orders-admin"),
    });
  });

  it("secretName keeps its meaning (every role) beside a role Secret", () => {
    expect(
      tokenVars(nodeOf({ auth: { secretName: "orders-token", read: { secretName: "orders-read" } } })),
    ).toEqual({
      REPLISTORE_TOKEN: ref("orders-token"),
      REPLISTORE_READ_TOKEN: ref("orders-read"),
    });
    expect(tokenVars(nodeOf({}))).toEqual({});
  });

  it("the repair Job carries an admin token: the admin Secret, else the all-roles one, else none", () => {
    expect(tokenVars(repairOf(ROLES_ONLY))).toEqual({ REPLISTORE_TOKEN: ref("orders-admin") });
    expect(tokenVars(repairOf({ auth: { secretName: "orders-token", read: { secretName: "r" } } }))).toEqual({
      REPLISTORE_TOKEN: ref("orders-token"),
    });
    expect(tokenVars(repairOf({ auth: { read: { secretName: "orders-read" } } }))).toEqual({});
  });
});

describe("role Secrets", () => {
  it("every Secret spec.auth names is built, each once, named as given", () => {
    const s = store({ auth: { ...ROLES_ONLY.auth, secretName: "orders-read" } });
    expect(authSecretNames(s.spec.auth)).toEqual(["orders-read", "orders-write", "orders-admin"]);
    const secret = buildTokenSecret(s, context({ token: "t" }), "orders-admin");
    expect(secret?.metadata?.name).toBe("orders-admin");
    expect(secret?.stringData).toEqual({ token: "t" });
    expect(() => buildTokenSecret(s, context({ token: "t" }), "elsewhere")).toThrow(
      /names no Secret elsewhere/,
    );
  });

  it("a role's token is the role's own, else a higher role's, else the all-roles one", () => {
    expect(secretFor({ admin: { secretName: "a" } }, "read")).toBe("a");
    expect(secretFor({ write: { secretName: "w" }, admin: { secretName: "a" } }, "read")).toBe("w");
    expect(secretFor({ read: { secretName: "r" }, secretName: "all" }, "write")).toBe("all");
    expect(secretFor({ read: { secretName: "r" } }, "admin")).toBeUndefined();
  });
});
