/**
 * A real S3-compatible server for tests: SeaweedFS's `weed mini` (master, volume server, filer and
 * S3 gateway in one process), built from the Go module proxy by hack/s3/build.sh. Each server gets
 * a fresh temporary directory (data, config, log, sockets), free loopback ports, one static
 * identity, optionally HTTPS with its own CA; it is killed if the test process dies first, and
 * `stop()` removes everything it made. The tests never build (minutes on a small machine); they
 * fail with the command that does.
 *
 *   const s3 = await startS3Server({ tls: true });
 *   const client = new S3Client(s3.clientConfig());
 *   await s3.createBucket("backups");
 *   await runCli([...], { env: s3.env() }); // AWS_ENDPOINT_URL_S3, AWS_CA_BUNDLE, ...
 *   await s3.stop();
 *
 * What SeaweedFS does here: it is ready about 5 s after the start (the filer's lock ring reaches
 * the S3 gateway last; until then a PUT waits), and a new bucket's first PUT takes about 0.2 s more
 * (a volume is grown for it). Credentials come from an `-s3.config` identity file; once one
 * identity exists, anonymous requests are refused. A wrong secret is SignatureDoesNotMatch, an
 * unknown key InvalidAccessKeyId (both 403). Bucket names follow S3's rules (3 characters at
 * least). It stops in about 0.5 s on SIGTERM.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, closeSync, constants, openSync, readFileSync, rmSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { Agent as HttpsAgent } from "node:https";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  ListBucketsCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { createCa, issueCertificate } from "../../src/tls/pki.ts";
import { send } from "./client.ts";
import { eventually } from "./eventually.ts";
import { tailFile } from "./logs.ts";
import { freePort } from "./ports.ts";
import { LOOPBACK_NAMES } from "./tls.ts";

const GO_MOD = fileURLToPath(new URL("../../hack/s3/go.mod", import.meta.url));
const MODULE = "github.com/seaweedfs/seaweedfs";

/**
 * The `weed` binary: $REPLISTORE_WEED, or where hack/s3/build.sh put the version hack/s3/go.mod
 * pins: ${REPLISTORE_CACHE:-$HOME/.cache/replistore}/s3/seaweedfs-<version>/weed.
 */
export function weedBinary(): string {
  const configured = process.env.REPLISTORE_WEED;
  if (configured) return configured;
  const version = new RegExp(`^\\s*${MODULE.replaceAll(".", "\\.")} (\\S+)`, "m").exec(
    readFileSync(GO_MOD, "utf8"),
  )?.[1];
  if (!version) throw new Error(`${GO_MOD} pins no ${MODULE} version`);
  const cache = process.env.REPLISTORE_CACHE ?? join(homedir(), ".cache", "replistore");
  const path = join(cache, "s3", `seaweedfs-${version}`, "weed");
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new Error(
      `${path} is missing: run \`bash hack/s3/build.sh\` (or \`npm run setup\`; builds SeaweedFS ${version} from the Go module proxy, about 10 minutes the first time)`,
    );
  }
  return path;
}

export interface S3ServerOptions {
  /** the static identity's access key (default "replistore-test") */
  accessKeyId?: string;
  /** its secret key (default "replistore-test-secret") */
  secretAccessKey?: string;
  /** the region clients sign for; SeaweedFS accepts any (default "us-east-1") */
  region?: string;
  /**
   * the IPv4 address every port binds to and the endpoint names (default 127.0.0.1); the e2e tests
   * use the cluster bridge's, so pods reach the server
   */
  address?: string;
  /** serve HTTPS with a certificate for 127.0.0.1/localhost (and `address`) from a CA made for this server */
  tls?: boolean;
  /** buckets to create once the server is ready */
  buckets?: string[];
  /**
   * let a PUT into a missing bucket create it, as SeaweedFS does by default (default false: the
   * PUT fails with NoSuchBucket, as on AWS)
   */
  autoCreateBucket?: boolean;
  /** default 30 s */
  readyTimeoutMs?: number;
}

export interface S3Server {
  /** e.g. http://127.0.0.1:41234; use it with forcePathStyle (clientConfig sets it) */
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** PEM of the CA that signed the server's certificate, when started with `tls` */
  caPem?: string;
  /** the same PEM in a file (in `dir`), for AWS_CA_BUNDLE */
  caPath?: string;
  /** the temporary directory (data/, the config, the log); gone after stop() */
  dir: string;
  logPath: string;
  /** the weed process (the leader of its own process group) */
  pid: number;
  /**
   * A config for `new S3Client(...)`: this endpoint and region, path-style addressing, the static
   * credentials, and for HTTPS an agent trusting `caPem`. `overrides` win, e.g. other `credentials`,
   * `maxAttempts: 1`, or `requestHandler: {}` for a client that does not trust the CA.
   */
  clientConfig(overrides?: Partial<S3ClientConfig>): S3ClientConfig;
  /**
   * The environment an AWS client (the replistore CLI, a node) reads this server from:
   * AWS_ENDPOINT_URL_S3, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, and for HTTPS
   * AWS_CA_BUNDLE. `overrides` win, e.g. another AWS_SECRET_ACCESS_KEY.
   */
  env(overrides?: Record<string, string>): Record<string, string>;
  createBucket(name: string): Promise<void>;
  /** the end of the server's log, for failure messages */
  logTail(lines?: number): string;
  /** SIGTERM to the process group, SIGKILL after `graceMs` (default 5 s); then the directory goes */
  stop(graceMs?: number): Promise<void>;
}

/** Every running server's process group and what it leaves on disk, so none outlives the test process. */
const running = new Map<number, string[]>();
process.once("exit", () => {
  for (const [pgid, paths] of running) {
    try {
      signalGroup(pgid, "SIGKILL");
      for (const path of paths) rmSync(path, { recursive: true, force: true });
    } catch {
      // exiting anyway
    }
  }
});

/** weed puts its gRPC sockets in /tmp, named by port, and removes them only on a clean exit. */
function grpcSockets(ports: number[]): string[] {
  return ["master", "volume", "filer", "s3", "admin"].flatMap((service) =>
    ports.map((port) => `/tmp/seaweedfs-${service}-grpc-${port}.sock`),
  );
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** What the child must not inherit: SeaweedFS turns AWS_ACCESS_KEY_ID into an extra admin identity and reads WEED_* as config. */
function childEnv(dir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith("AWS_") && !key.startsWith("WEED_")) env[key] = value;
  }
  // It also reads ./*.toml and ~/.seaweedfs/*.toml; the directory is its cwd and $HOME.
  env.HOME = dir;
  return env;
}

interface DirStatus {
  Topology?: { DataCenters?: Array<{ Racks?: Array<{ DataNodes?: unknown[] | null }> }> };
}

/** How many volume servers the master's /dir/status lists. */
function volumeServers(status: DirStatus): number {
  let count = 0;
  for (const dc of status.Topology?.DataCenters ?? []) {
    for (const rack of dc.Racks ?? []) count += rack.DataNodes?.length ?? 0;
  }
  return count;
}

/** A bucket the readiness check writes to and removes again, so a test finds the server empty. */
const PROBE_BUCKET = "replistore-readiness-probe";

async function writeProbe(client: S3Client): Promise<void> {
  try {
    await client.send(new CreateBucketCommand({ Bucket: PROBE_BUCKET }));
  } catch (error) {
    // left by an attempt that failed after creating it
    if (!(error instanceof S3ServiceException && error.name === "BucketAlreadyOwnedByYou")) throw error;
  }
  await client.send(new PutObjectCommand({ Bucket: PROBE_BUCKET, Key: "probe", Body: "probe" }));
  await client.send(new DeleteObjectCommand({ Bucket: PROBE_BUCKET, Key: "probe" }));
  await client.send(new DeleteBucketCommand({ Bucket: PROBE_BUCKET }));
}

export async function startS3Server(options: S3ServerOptions = {}): Promise<S3Server> {
  const binary = weedBinary();
  const accessKeyId = options.accessKeyId ?? "replistore-test";
  const secretAccessKey = options.secretAccessKey ?? "replistore-test-secret";
  const region = options.region ?? "us-east-1";
  const address = options.address ?? "127.0.0.1";
  const dir = await mkdtemp(join(tmpdir(), "replistore-s3-"));
  const dataDir = join(dir, "data");
  const logPath = join(dir, "weed.log");
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const grpcPorts: number[] = [];

  const stop = async (graceMs = 5_000): Promise<void> => {
    const current = child;
    if (current?.pid !== undefined) {
      const pgid = current.pid;
      if (current.exitCode === null && current.signalCode === null) {
        signalGroup(pgid, "SIGTERM");
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<"late">((resolve) => {
          timer = setTimeout(() => resolve("late"), graceMs);
        });
        if ((await Promise.race([exited, late])) === "late") signalGroup(pgid, "SIGKILL");
        clearTimeout(timer);
        await exited;
      }
      // Anything else in its group (it starts no children today) goes too.
      if (groupAlive(pgid)) signalGroup(pgid, "SIGKILL");
      running.delete(pgid);
      child = undefined;
    }
    await Promise.all(
      [dir, ...grpcSockets(grpcPorts)].map((path) => rm(path, { recursive: true, force: true })),
    );
  };

  try {
    // Every listener on a port of ours: weed's default gRPC port is its HTTP port + 10000.
    const ports = {
      master: await freePort(),
      volume: await freePort(),
      filer: await freePort(),
      s3: await freePort(),
      admin: await freePort(),
    };
    const grpc = {
      master: await freePort(),
      volume: await freePort(),
      filer: await freePort(),
      s3: await freePort(),
      admin: await freePort(),
    };
    grpcPorts.push(...Object.values(grpc));

    const configPath = join(dir, "s3.json");
    await writeFile(
      configPath,
      JSON.stringify({
        identities: [
          {
            name: "replistore-test",
            credentials: [{ accessKey: accessKeyId, secretKey: secretAccessKey }],
            actions: ["Admin", "Read", "Write", "List", "Tagging"],
          },
        ],
      }),
      { mode: 0o600 },
    );

    let caPem: string | undefined;
    let caPath: string | undefined;
    const tlsArgs: string[] = [];
    if (options.tls) {
      const ca = await createCa("replistore test S3 CA");
      const cert = await issueCertificate(ca, {
        commonName: "test S3 server",
        dnsNames: LOOPBACK_NAMES.dnsNames,
        ipAddresses: [...new Set([...LOOPBACK_NAMES.ipAddresses, address])],
      });
      await writeFile(join(dir, "tls.crt"), cert.certPem);
      await writeFile(join(dir, "tls.key"), cert.keyPem, { mode: 0o600 });
      caPem = ca.certPem;
      caPath = join(dir, "ca.crt");
      await writeFile(caPath, caPem);
      // With a key and no -s3.port.https, the S3 port serves HTTPS only.
      tlsArgs.push(`-s3.cert.file=${join(dir, "tls.crt")}`, `-s3.key.file=${join(dir, "tls.key")}`);
    }

    const args = [
      "-logtostderr", // glog would otherwise also write log files into /tmp
      "mini",
      `-dir=${dataDir}`,
      `-ip=${address}`,
      `-ip.bind=${address}`,
      `-master.port=${ports.master}`,
      `-master.port.grpc=${grpc.master}`,
      "-master.telemetry=false",
      `-volume.port=${ports.volume}`,
      `-volume.port.grpc=${grpc.volume}`,
      "-volume.preStopSeconds=0",
      `-filer.port=${ports.filer}`,
      `-filer.port.grpc=${grpc.filer}`,
      `-filer.localSocket=${join(dir, "filer.sock")}`,
      `-s3.port=${ports.s3}`,
      `-s3.port.grpc=${grpc.s3}`,
      `-s3.localSocket=${join(dir, "s3.sock")}`,
      `-s3.config=${configPath}`,
      `-s3.autoCreateBucket=${options.autoCreateBucket ?? false}`,
      "-s3.port.iceberg=0",
      "-s3.port.lance=0",
      ...tlsArgs,
      // mini always runs its admin server; no UI, no legacy port, its ports our own
      "-admin.ui=false",
      `-admin.port=${ports.admin}`,
      `-admin.port.grpc=${grpc.admin}`,
      "-admin.port.legacy=0",
      "-webdav=false",
    ];

    const fd = openSync(logPath, "a");
    try {
      // Its own process group, so stop() reaches everything it may start.
      child = spawn(binary, args, {
        cwd: dir,
        env: childEnv(dir),
        stdio: ["ignore", fd, fd],
        detached: true,
      });
    } finally {
      closeSync(fd);
    }
    const started = child;
    if (started.pid === undefined) {
      const error = await new Promise<Error>((resolve) => started.once("error", resolve));
      throw new Error(`could not start ${binary}: ${error.message}`);
    }
    running.set(started.pid, [dir, ...grpcSockets(grpcPorts)]);
    exited = new Promise((resolve) => started.once("exit", () => resolve()));

    const endpoint = `${options.tls ? "https" : "http"}://${address}:${ports.s3}`;
    const clientConfig = (overrides: Partial<S3ClientConfig> = {}): S3ClientConfig => ({
      endpoint,
      region,
      forcePathStyle: true,
      credentials: { accessKeyId, secretAccessKey },
      ...(caPem !== undefined ? { requestHandler: { httpsAgent: new HttpsAgent({ ca: caPem }) } } : {}),
      ...overrides,
    });
    const logTail = (lines = 40) =>
      `----- ${logPath}, last ${lines} lines -----\n${tailFile(logPath, lines)}`;

    // Ready = the S3 gateway answers, the volume server has joined the master, a signed request
    // passes (the identity is loaded, the filer answers), and a write goes through: until the
    // filer's lock ring reaches the gateway (about a second after the rest), a PUT waits for it.
    const probe = new S3Client(
      clientConfig({
        maxAttempts: 1,
        requestHandler: {
          requestTimeout: 10_000,
          ...(caPem !== undefined ? { httpsAgent: new HttpsAgent({ ca: caPem }) } : {}),
        },
      }),
    );
    try {
      await eventually(
        async () => {
          if (started.exitCode !== null || started.signalCode !== null) {
            throw new Error(`weed exited (${started.signalCode ?? `code ${started.exitCode}`})`);
          }
          const health = await send(endpoint, "GET", "/healthz", { timeoutMs: 2_000, ca: caPem });
          if (health.status !== 200) throw new Error(`S3 /healthz: ${health.status}`);
          const status = await send(`http://${address}:${ports.master}`, "GET", "/dir/status", {
            timeoutMs: 2_000,
          });
          if (volumeServers(status.body as DirStatus) === 0) {
            throw new Error("no volume server has joined the master yet");
          }
          await probe.send(new ListBucketsCommand({}));
          await writeProbe(probe);
        },
        { timeoutMs: options.readyTimeoutMs ?? 30_000, intervalMs: 100, what: "SeaweedFS S3 ready" },
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(`${message}\n${logTail()}`);
    } finally {
      probe.destroy();
    }

    const createBucket = async (name: string): Promise<void> => {
      const client = new S3Client(clientConfig());
      try {
        await client.send(new CreateBucketCommand({ Bucket: name }));
      } finally {
        client.destroy();
      }
    };
    for (const bucket of options.buckets ?? []) await createBucket(bucket);

    return {
      endpoint,
      region,
      accessKeyId,
      secretAccessKey,
      ...(caPem !== undefined ? { caPem, caPath } : {}),
      dir,
      logPath,
      pid: started.pid,
      clientConfig,
      env: (overrides = {}) => ({
        AWS_ENDPOINT_URL_S3: endpoint,
        AWS_REGION: region,
        AWS_ACCESS_KEY_ID: accessKeyId,
        AWS_SECRET_ACCESS_KEY: secretAccessKey,
        ...(caPath !== undefined ? { AWS_CA_BUNDLE: caPath } : {}),
        ...overrides,
      }),
      createBucket,
      logTail,
      stop,
    };
  } catch (error) {
    await stop(0);
    throw error;
  }
}
