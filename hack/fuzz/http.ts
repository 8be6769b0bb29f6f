/**
 * The fuzz run's HTTP client of one node: a base URL, optional TLS (a CA to trust, a client
 * certificate and key, as a peer presents them) and headers sent with every request (a token, the
 * peer secret).
 */
import { readFileSync } from "node:fs";
import { Agent, request } from "undici";

export interface Target {
  url: string;
  cacert?: string;
  cert?: string;
  key?: string;
  headers: Record<string, string>;
}

export interface Answer {
  status: number;
  headers: Record<string, string | undefined>;
  body: Buffer;
}

export interface Http {
  request(method: string, path: string, body?: Buffer, headers?: Record<string, string>): Promise<Answer>;
  close(): Promise<void>;
}

const read = (file: string | undefined) => (file ? readFileSync(file) : undefined);

export function httpFor(target: Target): Http {
  const dispatcher = new Agent({
    connect: { ca: read(target.cacert), cert: read(target.cert), key: read(target.key) },
  });
  return {
    async request(method, path, body, headers = {}) {
      const res = await request(new URL(path, target.url), {
        method: method as "POST",
        body,
        headers: { ...target.headers, ...headers },
        dispatcher,
      });
      const out = Buffer.from(await res.body.arrayBuffer());
      const flat: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(res.headers)) flat[k] = Array.isArray(v) ? v.join(", ") : v;
      return { status: res.statusCode, headers: flat, body: out };
    },
    close: () => dispatcher.close(),
  };
}
