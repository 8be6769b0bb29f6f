/**
 * Reading the cluster config file a node runs on. A node calls this at start and on every change
 * of the file, so a bad file must produce one readable error (file and field), never a crash deep
 * inside replication.
 */
import { readFileSync } from "node:fs";
import Value from "typebox/value";
import { describeSchemaErrors } from "../api/schema-errors.ts";
import { ClusterConfig } from "./cluster-config.ts";

export class ClusterConfigError extends Error {
  readonly file: string;
  readonly problems: readonly string[];

  constructor(file: string, problems: readonly string[]) {
    super(`invalid cluster config ${file}: ${problems.join("; ")}`);
    this.name = "ClusterConfigError";
    this.file = file;
    this.problems = problems;
  }
}

/** The rules the schema cannot express; the manifest rules guarantee them for generated files. */
export function clusterConfigProblems(config: ClusterConfig): string[] {
  const problems: string[] = [];
  const { factor, writeQuorum, readQuorum } = config.replication;
  const memberCount = config.members.length;
  if (factor > memberCount) {
    problems.push(`replication.factor (${factor}) must be at most the number of members (${memberCount})`);
  }
  if (writeQuorum > factor) {
    problems.push(`replication.writeQuorum (${writeQuorum}) must be at most replication.factor (${factor})`);
  }
  if (readQuorum > factor) {
    problems.push(`replication.readQuorum (${readQuorum}) must be at most replication.factor (${factor})`);
  }
  if (config.replication.consistency === "Strong" && writeQuorum + readQuorum <= factor) {
    problems.push(
      `replication.writeQuorum (${writeQuorum}) + readQuorum (${readQuorum}) must exceed factor (${factor}) with Strong consistency`,
    );
  }
  const ids = config.members.map((m) => m.id);
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate !== undefined)
    problems.push(`members: id ${JSON.stringify(duplicate)} appears more than once`);
  config.members.forEach((member, i) => {
    if (!URL.canParse(member.url))
      problems.push(`members[${i}].url: not a URL (got ${JSON.stringify(member.url)})`);
  });
  const ml = config.multiLeader;
  if (config.mode === "MultiLeader" && ml === undefined)
    problems.push("multiLeader: required with mode MultiLeader");
  if (config.mode !== "MultiLeader" && ml !== undefined)
    problems.push("multiLeader: only allowed with mode MultiLeader");
  if (ml !== undefined && ml.leaders > memberCount) {
    problems.push(
      `multiLeader.leaders (${ml.leaders}) must be at most the number of members (${memberCount})`,
    );
  }
  if (ml !== undefined && ml.hub >= ml.leaders) {
    problems.push(`multiLeader.hub (${ml.hub}) must be less than multiLeader.leaders (${ml.leaders})`);
  }
  return problems;
}

/** Validates an already-parsed config; `source` names where it came from in errors. */
export function checkClusterConfig(value: unknown, source: string): ClusterConfig {
  if (!Value.Check(ClusterConfig, value)) {
    throw new ClusterConfigError(source, describeSchemaErrors(ClusterConfig, value));
  }
  const problems = clusterConfigProblems(value);
  if (problems.length > 0) throw new ClusterConfigError(source, problems);
  return value;
}

export function loadClusterConfig(path: string): ClusterConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    const reason = err instanceof Error && "code" in err ? String(err.code) : String(err);
    throw new ClusterConfigError(path, [`cannot read the file (${reason})`]);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ClusterConfigError(path, [
      `not valid JSON (${err instanceof Error ? err.message : String(err)})`,
    ]);
  }
  return checkClusterConfig(value, path);
}
