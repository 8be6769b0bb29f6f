/**
 * A backup destination as a person writes it (`s3://bucket/path` or `file:///dir`) and the settings
 * beside it, opened as an ObjectStore. Credentials come the way every S3 tool takes them:
 * AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_CA_BUNDLE, AWS_REGION, AWS_ENDPOINT_URL_S3 (or
 * AWS_ENDPOINT_URL) for an S3-compatible server; in Kubernetes the operator
 * sets those from the destination's Secret and CA bundle.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { UserError } from "../errors.ts";
import { FileStore } from "./file-store.ts";
import type { ObjectStore } from "./object-store.ts";
import { S3Store } from "./s3-store.ts";

export interface DestinationSpec {
  /** s3://bucket/path or file:///absolute/dir */
  path: string;
  /** an S3-compatible server's URL; omitted: AWS S3 */
  endpoint?: string | undefined;
  region?: string | undefined;
}

export type ParsedDestination =
  | { kind: "s3"; bucket: string; prefix: string }
  | { kind: "file"; dir: string };

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Checks the path's form; the message says what a valid one looks like. */
export function parseDestination(path: string): ParsedDestination {
  const hint = "a destination is s3://<bucket>/<path> or file:///<absolute dir>";
  if (path.startsWith("s3://")) {
    const rest = path.slice("s3://".length);
    const slash = rest.indexOf("/");
    const bucket = slash < 0 ? rest : rest.slice(0, slash);
    if (!BUCKET.test(bucket)) {
      throw new UserError(
        `destination ${path}: "${bucket}" is not a bucket name (3-63 lowercase letters, digits, dots, hyphens); ${hint}`,
      );
    }
    const parts = (slash < 0 ? "" : rest.slice(slash + 1)).split("/").filter((p) => p !== "");
    if (parts.some((p) => p === "." || p === "..")) {
      throw new UserError(`destination ${path}: the path may not hold "." or ".." segments`);
    }
    return { kind: "s3", bucket, prefix: parts.length > 0 ? `${parts.join("/")}/` : "" };
  }
  if (path.startsWith("file://")) {
    let dir: string;
    try {
      dir = fileURLToPath(path);
    } catch {
      throw new UserError(`destination ${path}: not a file URL with an absolute path; ${hint}`);
    }
    return { kind: "file", dir };
  }
  throw new UserError(`destination "${path}": unknown scheme; ${hint}`);
}

/** Opens the destination with credentials from `env`; errors name the variable that is missing. */
export function openDestination(
  spec: DestinationSpec,
  env: NodeJS.ProcessEnv = process.env,
  /** PEM bundle for the endpoint, when the caller holds it rather than a file (the operator) */
  caPem?: string,
): ObjectStore {
  const parsed = parseDestination(spec.path);
  if (parsed.kind === "file") return new FileStore(parsed.dir);
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw new UserError(
      `destination ${spec.path} needs S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (in Kubernetes, the destination's credentials Secret holds them)`,
    );
  }
  // The AWS tools' own variables name an S3-compatible server when the manifest does not.
  const endpoint = spec.endpoint ?? (env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined);
  if (endpoint !== undefined && !/^https?:\/\/[^/\s]+/.test(endpoint)) {
    throw new UserError(`S3 endpoint "${endpoint}" is not an http(s) URL, e.g. https://s3.example.com:9000`);
  }
  let ca: string | undefined = caPem;
  if (ca === undefined && env.AWS_CA_BUNDLE) {
    try {
      ca = readFileSync(env.AWS_CA_BUNDLE, "utf8");
    } catch (err) {
      throw new UserError(
        `cannot read AWS_CA_BUNDLE ${env.AWS_CA_BUNDLE} (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
      );
    }
  }
  return new S3Store({
    bucket: parsed.bucket,
    prefix: parsed.prefix,
    ...(endpoint !== undefined ? { endpoint } : {}),
    region: spec.region ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION || "us-east-1"),
    accessKeyId,
    secretAccessKey,
    ...(ca !== undefined ? { ca } : {}),
  });
}
