import { Agent } from "node:https";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { DestinationError, type ObjectStore } from "./object-store.ts";

export interface S3Settings {
  bucket: string;
  /** "" or a path ending in "/" */
  prefix: string;
  /** https://host:port of an S3-compatible server; omitted: AWS S3 for the region */
  endpoint?: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** PEM bundle that signed the endpoint's certificate */
  ca?: string;
}

/** Object store calls that failed on a missing object; anything else is an error to report. */
const MISSING = new Set(["NoSuchKey", "NotFound"]);
const DENIED = new Set(["AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "Forbidden"]);
const UNTRUSTED = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);
const DELETE_PARALLEL = 8;

/** A destination in an S3 bucket, on AWS or any S3-compatible server (path-style addressing). */
export class S3Store implements ObjectStore {
  readonly url: string;
  private readonly s3: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly where: string;

  constructor(settings: S3Settings) {
    this.bucket = settings.bucket;
    this.prefix = settings.prefix;
    this.url = `s3://${settings.bucket}/${settings.prefix}`;
    this.where = settings.endpoint ?? `AWS S3 (${settings.region})`;
    this.s3 = new S3Client({
      region: settings.region,
      ...(settings.endpoint !== undefined ? { endpoint: settings.endpoint, forcePathStyle: true } : {}),
      credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey },
      // Checksums only where S3 requires them: many S3-compatible servers refuse the newer ones.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
      maxAttempts: 3,
      ...(settings.ca !== undefined
        ? { requestHandler: { httpsAgent: new Agent({ ca: settings.ca, keepAlive: true }) } }
        : {}),
    });
  }

  async put(name: string, body: Buffer): Promise<void> {
    await this.call(`write ${name}`, () =>
      this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.prefix + name,
          Body: body,
          ContentLength: body.byteLength,
        }),
      ),
    );
  }

  async get(name: string): Promise<Buffer | undefined> {
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + name }));
      if (!out.Body) return Buffer.alloc(0);
      return Buffer.from(await out.Body.transformToByteArray());
    } catch (err) {
      if (err instanceof S3ServiceException && MISSING.has(err.name)) return undefined;
      throw this.failure(err, `read ${name}`);
    }
  }

  async folders(prefix: string): Promise<string[]> {
    const out: string[] = [];
    const base = this.prefix + prefix;
    let token: string | undefined;
    do {
      const page = await this.call("list", () =>
        this.s3.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: base,
            Delimiter: "/",
            ...(token !== undefined ? { ContinuationToken: token } : {}),
          }),
        ),
      );
      for (const p of page.CommonPrefixes ?? []) {
        if (p.Prefix) out.push(p.Prefix.slice(base.length).replace(/\/$/, ""));
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return out;
  }

  async deleteAll(prefix: string): Promise<number> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.call(`list ${prefix}`, () =>
        this.s3.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: this.prefix + prefix,
            ...(token !== undefined ? { ContinuationToken: token } : {}),
          }),
        ),
      );
      for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    // One by one rather than DeleteObjects, which needs a Content-MD5 some servers do not take.
    for (let i = 0; i < keys.length; i += DELETE_PARALLEL) {
      await Promise.all(
        keys
          .slice(i, i + DELETE_PARALLEL)
          .map((Key) =>
            this.call(`delete ${Key}`, () =>
              this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key })),
            ),
          ),
      );
    }
    return keys.length;
  }

  close(): void {
    this.s3.destroy();
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw this.failure(err, what);
    }
  }

  /** Says what failed in words a person can act on; the SDK's own errors name no remedy. */
  private failure(err: unknown, what: string): DestinationError {
    const at = `${this.url} at ${this.where}: cannot ${what}`;
    if (err instanceof S3ServiceException) {
      if (err.name === "NoSuchBucket") {
        return new DestinationError(
          "no_bucket",
          `${at}: bucket "${this.bucket}" does not exist; create it, or fix the destination`,
        );
      }
      if (DENIED.has(err.name) || err.$metadata.httpStatusCode === 403) {
        return new DestinationError(
          "access_denied",
          `${at}: access denied (${err.name}); check the credentials (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or the destination's credentials Secret) and their rights on the bucket`,
        );
      }
      return new DestinationError("refused", `${at}: ${err.name}: ${err.message}`);
    }
    const code = errorCode(err);
    if (UNTRUSTED.has(code)) {
      return new DestinationError(
        "untrusted_certificate",
        `${at}: the endpoint's certificate is not trusted (${code}); give its CA bundle (the destination's caBundle, or AWS_CA_BUNDLE)`,
      );
    }
    const message = err instanceof Error ? err.message : String(err);
    return new DestinationError("unreachable", `${at}: ${code || message}`);
  }
}

function errorCode(err: unknown): string {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if ("code" in e && typeof e.code === "string" && e.code !== "") return e.code;
  }
  return "";
}
