/**
 * The S3 test server (test/support/s3-server.ts: SeaweedFS's `weed mini`, built by hack/s3/build.sh)
 * through the client the backup code uses, @aws-sdk/client-s3 with path-style addressing: the
 * object operations, multipart uploads, the errors a wrong credential or a missing bucket gives,
 * HTTPS trusted through the CA the fixture returns, and a stop() that leaves nothing behind.
 */
import { existsSync, readFileSync } from "node:fs";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type S3Server, startS3Server } from "../support/s3-server.ts";

/** S3's smallest part but the last. */
const PART_SIZE = 5 * 1024 * 1024;

/** The S3 error a promise rejects with (fails the test when it resolves or throws something else). */
async function s3Error(promise: Promise<unknown>): Promise<S3ServiceException> {
  const error = await promise.then(
    () => new Error("expected the request to fail"),
    (e: unknown) => e,
  );
  if (!(error instanceof S3ServiceException)) throw error;
  return error;
}

async function keys(client: S3Client, bucket: string): Promise<string[]> {
  const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (listed.Contents ?? []).map((object) => object.Key ?? "");
}

describe("the S3 test server over HTTP", () => {
  let s3: S3Server;
  let client: S3Client;

  beforeAll(async () => {
    s3 = await startS3Server({ buckets: ["preset"] });
    client = new S3Client(s3.clientConfig());
  });
  afterAll(async () => {
    client?.destroy();
    await s3?.stop();
  });

  it("creates buckets, and puts, gets, lists and deletes objects", async () => {
    expect(s3.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(s3.caPem).toBeUndefined();
    expect(s3.env()).toEqual({
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: s3.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
    });
    await s3.createBucket("objects");
    const buckets = await client.send(new ListBucketsCommand({}));
    expect((buckets.Buckets ?? []).map((b) => b.Name).sort()).toEqual(["objects", "preset"]);

    await client.send(
      new PutObjectCommand({
        Bucket: "objects",
        Key: "backups/one.bin",
        Body: "first",
        ContentType: "text/plain",
      }),
    );
    await client.send(new PutObjectCommand({ Bucket: "objects", Key: "backups/two.bin", Body: "second" }));
    const got = await client.send(new GetObjectCommand({ Bucket: "objects", Key: "backups/one.bin" }));
    expect(await got.Body?.transformToString()).toBe("first");
    expect(got.ContentType).toBe("text/plain");
    expect(await keys(client, "objects")).toEqual(["backups/one.bin", "backups/two.bin"]);
    const prefixed = await client.send(
      new ListObjectsV2Command({ Bucket: "objects", Prefix: "backups/", Delimiter: "/", MaxKeys: 1 }),
    );
    expect(prefixed.Contents?.map((o) => o.Key)).toEqual(["backups/one.bin"]);
    expect(prefixed.IsTruncated).toBe(true);

    await client.send(new DeleteObjectCommand({ Bucket: "objects", Key: "backups/one.bin" }));
    expect(await keys(client, "objects")).toEqual(["backups/two.bin"]);
    const gone = await s3Error(
      client.send(new GetObjectCommand({ Bucket: "objects", Key: "backups/one.bin" })),
    );
    expect(gone.name).toBe("NoSuchKey");
    expect(gone.$metadata.httpStatusCode).toBe(404);
  });

  it("leaves no object behind an aborted multipart upload, and assembles a completed one", async () => {
    await s3.createBucket("multipart");
    const aborted = await client.send(
      new CreateMultipartUploadCommand({ Bucket: "multipart", Key: "aborted" }),
    );
    await client.send(
      new UploadPartCommand({
        Bucket: "multipart",
        Key: "aborted",
        UploadId: aborted.UploadId,
        PartNumber: 1,
        Body: Buffer.alloc(PART_SIZE, 1),
      }),
    );
    const open = await client.send(new ListMultipartUploadsCommand({ Bucket: "multipart" }));
    expect(open.Uploads?.map((u) => u.UploadId)).toEqual([aborted.UploadId]);
    await client.send(
      new AbortMultipartUploadCommand({ Bucket: "multipart", Key: "aborted", UploadId: aborted.UploadId }),
    );
    const after = await client.send(new ListMultipartUploadsCommand({ Bucket: "multipart" }));
    expect(after.Uploads ?? []).toEqual([]);
    expect(await keys(client, "multipart")).toEqual([]);
    const head = await s3Error(client.send(new HeadObjectCommand({ Bucket: "multipart", Key: "aborted" })));
    expect(head.name).toBe("NotFound");
    expect(head.$metadata.httpStatusCode).toBe(404);

    const upload = await client.send(new CreateMultipartUploadCommand({ Bucket: "multipart", Key: "done" }));
    const bodies = [Buffer.alloc(PART_SIZE, "a"), Buffer.from("tail")];
    const parts = [];
    for (const [i, body] of bodies.entries()) {
      const part = await client.send(
        new UploadPartCommand({
          Bucket: "multipart",
          Key: "done",
          UploadId: upload.UploadId,
          PartNumber: i + 1,
          Body: body,
        }),
      );
      parts.push({ PartNumber: i + 1, ETag: part.ETag });
    }
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: "multipart",
        Key: "done",
        UploadId: upload.UploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
    const got = await client.send(new GetObjectCommand({ Bucket: "multipart", Key: "done" }));
    const bytes = Buffer.from((await got.Body?.transformToByteArray()) ?? []);
    expect(bytes.equals(Buffer.concat(bodies))).toBe(true);
    expect(await keys(client, "multipart")).toEqual(["done"]);
  });

  it("refuses a wrong secret key and an unknown access key", async () => {
    const wrongSecret = new S3Client(
      s3.clientConfig({
        credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: `${s3.secretAccessKey}-wrong` },
        maxAttempts: 1,
      }),
    );
    const unknownKey = new S3Client(
      s3.clientConfig({
        credentials: { accessKeyId: "no-such-key", secretAccessKey: s3.secretAccessKey },
        maxAttempts: 1,
      }),
    );
    try {
      for (const [refused, name] of [
        [wrongSecret, "SignatureDoesNotMatch"],
        [unknownKey, "InvalidAccessKeyId"],
      ] as const) {
        const list = await s3Error(refused.send(new ListObjectsV2Command({ Bucket: "preset" })));
        expect(list.name).toBe(name);
        expect(list.$metadata.httpStatusCode).toBe(403);
        const put = await s3Error(
          refused.send(new PutObjectCommand({ Bucket: "preset", Key: "x", Body: "x" })),
        );
        expect(put.name).toBe(name);
        expect(put.$metadata.httpStatusCode).toBe(403);
      }
      expect(await keys(client, "preset")).toEqual([]);
    } finally {
      wrongSecret.destroy();
      unknownKey.destroy();
    }
  });

  it("answers NoSuchBucket for a bucket that does not exist, and does not create it on a PUT", async () => {
    // One at a time: a request sent before the previous one is awaited may reject unobserved.
    for (const request of [
      () => client.send(new ListObjectsV2Command({ Bucket: "missing" })),
      () => client.send(new GetObjectCommand({ Bucket: "missing", Key: "k" })),
      () => client.send(new PutObjectCommand({ Bucket: "missing", Key: "k", Body: "v" })),
    ]) {
      const error = await s3Error(request());
      expect(error.name).toBe("NoSuchBucket");
      expect(error.$metadata.httpStatusCode).toBe(404);
    }
    const buckets = await client.send(new ListBucketsCommand({}));
    expect((buckets.Buckets ?? []).map((b) => b.Name)).not.toContain("missing");
  });
});

describe("the S3 test server over HTTPS", () => {
  let s3: S3Server;

  beforeAll(async () => {
    s3 = await startS3Server({ tls: true, accessKeyId: "tls-key", secretAccessKey: "tls-secret" });
  });
  afterAll(async () => {
    await s3?.stop();
  });

  it("serves a client that trusts its CA", async () => {
    expect(s3.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(s3.caPem).toContain("BEGIN CERTIFICATE");
    expect(readFileSync(s3.caPath ?? "", "utf8")).toBe(s3.caPem);
    expect(s3.env({ AWS_REGION: "eu-west-1" })).toMatchObject({
      AWS_ACCESS_KEY_ID: "tls-key",
      AWS_SECRET_ACCESS_KEY: "tls-secret",
      AWS_CA_BUNDLE: s3.caPath,
      AWS_REGION: "eu-west-1",
    });
    const client = new S3Client(s3.clientConfig());
    try {
      await s3.createBucket("secure");
      await client.send(new PutObjectCommand({ Bucket: "secure", Key: "k", Body: "over tls" }));
      const got = await client.send(new GetObjectCommand({ Bucket: "secure", Key: "k" }));
      expect(await got.Body?.transformToString()).toBe("over tls");
    } finally {
      client.destroy();
    }
  });

  it("fails a client that does not trust its CA", async () => {
    // requestHandler {}: Node's default agent, which trusts only the system's CAs
    const client = new S3Client(s3.clientConfig({ requestHandler: {}, maxAttempts: 1 }));
    try {
      const error = await client.send(new ListBucketsCommand({})).then(
        () => undefined,
        (e: unknown) => e as NodeJS.ErrnoException,
      );
      expect(error?.code).toBe("UNABLE_TO_VERIFY_LEAF_SIGNATURE");
    } finally {
      client.destroy();
    }
  });

  it("stop() ends the process and removes the directory", async () => {
    const { pid, dir } = s3;
    expect(existsSync(dir)).toBe(true);
    await s3.stop();
    expect(() => process.kill(-pid, 0)).toThrow(expect.objectContaining({ code: "ESRCH" }));
    expect(existsSync(dir)).toBe(false);
    await s3.stop(); // again: nothing to do
  });
});
