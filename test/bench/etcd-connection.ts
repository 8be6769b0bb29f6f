/**
 * A minimal etcd v3 client for the load generator: gRPC over one HTTP/2 connection per member (as
 * etcd's own clients multiplex their calls), with the two messages the benchmark sends (Put and
 * Range) encoded by hand. Like http1-connection.ts for replistore, it spends as little of the
 * machine's CPU as it can, so the two stores are measured under the same light client.
 *
 * Messages (etcd api/etcdserverpb/rpc.proto): PutRequest { bytes key = 1; bytes value = 2; },
 * RangeRequest { bytes key = 1; ...; bool serializable = 7; }.
 */
import { type ClientHttp2Session, connect, constants } from "node:http2";

export interface GrpcReply {
  /** the gRPC status: 0 is OK */
  status: number;
  message: string;
  body: Buffer;
}

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return out;
}

function bytesField(field: number, value: Buffer): Buffer {
  return Buffer.concat([Buffer.from([(field << 3) | 2, ...varint(value.length)]), value]);
}

/** gRPC's length-prefixed message: a compression flag (0) and a 4-byte big-endian length. */
function frame(message: Buffer): Buffer {
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(message.length, 1);
  return Buffer.concat([prefix, message]);
}

export function putRequest(key: string, value: Buffer): Buffer {
  return frame(Buffer.concat([bytesField(1, Buffer.from(key)), bytesField(2, value)]));
}

/** `serializable`: answered by the member from its own state, without a round of the leader's quorum. */
export function rangeRequest(key: string, serializable: boolean): Buffer {
  const parts = [bytesField(1, Buffer.from(key))];
  if (serializable) parts.push(Buffer.from([(7 << 3) | 0, 1]));
  return frame(Buffer.concat(parts));
}

export class EtcdConnection {
  private readonly session: ClientHttp2Session;

  /** `ca`: the CA to trust for an https URL. */
  constructor(url: string, ca?: string) {
    this.session = connect(url, ca ? { ca } : {});
    // A refused or reset connection fails the calls in flight; the session's own error is not a crash.
    this.session.on("error", () => {});
  }

  put(key: string, value: Buffer): Promise<GrpcReply> {
    return this.call("/etcdserverpb.KV/Put", putRequest(key, value));
  }

  range(key: string, serializable: boolean): Promise<GrpcReply> {
    return this.call("/etcdserverpb.KV/Range", rangeRequest(key, serializable));
  }

  close(): void {
    this.session.destroy();
  }

  private call(path: string, body: Buffer): Promise<GrpcReply> {
    return new Promise((resolve, reject) => {
      const stream = this.session.request({
        [constants.HTTP2_HEADER_METHOD]: "POST",
        [constants.HTTP2_HEADER_PATH]: path,
        "content-type": "application/grpc",
        te: "trailers",
      });
      const chunks: Buffer[] = [];
      let status: string | undefined;
      let message = "";
      const read = (headers: Record<string, unknown>) => {
        if (headers["grpc-status"] !== undefined) status = String(headers["grpc-status"]);
        if (headers["grpc-message"] !== undefined)
          message = decodeURIComponent(String(headers["grpc-message"]));
      };
      stream.on("response", read);
      stream.on("trailers", read);
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("error", reject);
      stream.on("close", () => {
        if (status === undefined) {
          reject(new Error(`${path}: stream closed without a gRPC status (code ${stream.rstCode})`));
          return;
        }
        const all = Buffer.concat(chunks);
        resolve({ status: Number(status), message, body: all.subarray(5) });
      });
      stream.end(body);
    });
  }
}
