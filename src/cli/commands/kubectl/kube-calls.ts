/**
 * Calls to the Kubernetes API for the plugin's commands, with the apiserver's refusals turned into
 * one sentence that names the fix (RBAC, a missing object, the namespace) instead of a stack trace.
 */
import { ApiException } from "@kubernetes/client-node";
import { UserError } from "../../../errors.ts";
import { kubeErrorText } from "./kube-target.ts";

export function kubeCode(err: unknown): number | undefined {
  return err instanceof ApiException ? err.code : undefined;
}

/**
 * `fn`, with a refusal as a UserError: 403 names the RBAC permission (`verb resource` in
 * `namespace`) and how to check it; 404 says `missing` when given; anything else says what failed.
 */
export async function kubeCall<T>(
  what: { verb: string; resource: string; namespace?: string; missing?: string },
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const code = kubeCode(err);
    const where = what.namespace ? ` in namespace ${what.namespace}` : " in any namespace";
    if (code === 403) {
      throw new UserError(
        `you may not ${what.verb} ${what.resource}${where} (${kubeErrorText(err)}): ask your cluster admin for that RBAC permission; check with kubectl auth can-i ${what.verb} ${what.resource}${what.namespace ? ` -n ${what.namespace}` : " -A"}`,
      );
    }
    if (code === 404 && what.missing) throw new UserError(what.missing);
    if (code === 401) {
      throw new UserError(
        `the Kubernetes apiserver does not accept your credentials (${kubeErrorText(err)}): log in again or pick another --context`,
      );
    }
    if (err instanceof UserError) throw err;
    throw new UserError(`cannot ${what.verb} ${what.resource}${where}: ${kubeErrorText(err)}`);
  }
}

/** Waits `ms` milliseconds. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A line of progress, as kubectl rollout status prints it. */
export function progress(line: string): void {
  process.stdout.write(`${line}\n`);
}
