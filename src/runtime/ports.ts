/** A port check before spawning, so "address in use" is one clear line instead of N crash-looping nodes. */
import { createServer } from "node:net";

function isFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export async function busyPorts(host: string, ports: readonly number[]): Promise<number[]> {
  const free = await Promise.all(ports.map((port) => isFree(host, port)));
  return ports.filter((_, i) => !free[i]);
}
