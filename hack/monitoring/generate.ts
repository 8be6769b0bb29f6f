/**
 * `npm run gen:monitoring`: writes the Grafana dashboards (deploy/grafana/), the Prometheus rule file
 * (deploy/prometheus/rules.yaml) and its promtool tests (deploy/prometheus/tests/) from src/monitoring.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { monitoringFiles } from "../../src/monitoring/files.ts";
import { formatted, ROOT } from "./format.ts";

for (const file of monitoringFiles().map(formatted)) {
  const target = resolve(ROOT, file.path);
  const before = await readFile(target, "utf8").catch(() => undefined);
  if (before === file.text) {
    console.log(`gen:monitoring: ${file.path} is up to date`);
  } else {
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, file.text);
    console.log(`gen:monitoring: wrote ${file.path}`);
  }
}
