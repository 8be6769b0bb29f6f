/**
 * The built image, run with podman through hack/image/podman.sh (which adds the flags a locked-down
 * machine needs). The tests never build the image; they fail with the command that does.
 */
import { execFile, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

export const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const PODMAN = fileURLToPath(new URL("../../../hack/image/podman.sh", import.meta.url));
const run = promisify(execFile);

export const VERSION = (JSON.parse(readFileSync(`${ROOT}package.json`, "utf8")) as { version: string })
  .version;
/** What hack/image/build.sh tags (podman stores it as localhost/replistore:dev). */
export const IMAGE = process.env.REPLISTORE_TEST_IMAGE ?? "replistore:dev";

export interface PodmanResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs podman; never throws for a non-zero exit (the caller checks `code`). */
export async function podman(args: string[], timeoutMs = 60_000): Promise<PodmanResult> {
  try {
    const { stdout, stderr } = await run(PODMAN, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number | string; stdout?: string; stderr?: string; message: string };
    return {
      code: typeof e.code === "number" ? e.code : -1,
      stdout: e.stdout ?? "",
      stderr: e.stderr ?? e.message,
    };
  }
}

/** podman that must succeed. */
export async function podmanOk(args: string[], timeoutMs?: number): Promise<string> {
  const result = await podman(args, timeoutMs);
  if (result.code !== 0) {
    throw new Error(`podman ${args.join(" ")} exited ${result.code}:\n${result.stderr}${result.stdout}`);
  }
  return result.stdout;
}

/** The image, or an error that says how to build it. */
export function requireImage(): void {
  const which = spawnSync("sh", ["-c", "command -v podman"], { encoding: "utf8" });
  if (which.status !== 0) {
    throw new Error("podman is not installed: apt-get install podman buildah runc (`npm run setup` does it)");
  }
  const exists = spawnSync(PODMAN, ["image", "exists", IMAGE]);
  if (exists.status !== 0) {
    throw new Error(`the image ${IMAGE} is missing: run \`npm run image:build\` (hack/image/build.sh)`);
  }
}
