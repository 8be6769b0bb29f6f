/** Where the Debian `prometheus` package put prometheus and promtool (`npm run setup`, which `npm test` runs first, installs it). */
import { spawnSync } from "node:child_process";

function find(name: string, env: string): string {
  const configured = process.env[env];
  if (configured) return configured;
  const which = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
  const path = which.stdout.trim();
  if (which.status !== 0 || !path) {
    throw new Error(
      `${name} is not installed: apt-get install -y prometheus (Debian's package has prometheus and promtool; npm run setup installs it), or set ${env}`,
    );
  }
  return path;
}

export const promtool = () => find("promtool", "PROMTOOL");
export const prometheus = () => find("prometheus", "PROMETHEUS");
