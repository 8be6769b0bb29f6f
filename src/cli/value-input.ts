/** Where `kv put` gets the value: the argument, --file (or "-"), or piped stdin. */
import { readFileSync } from "node:fs";
import { UserError } from "../errors.ts";

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin)
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks);
}

export async function readValue(arg: string | undefined, file: string | undefined): Promise<Buffer> {
  if (arg !== undefined && file !== undefined) {
    throw new UserError("give the value either as an argument or with --file, not both");
  }
  if (arg !== undefined) return Buffer.from(arg, "utf8");
  if (file === "-") return readStdin();
  if (file !== undefined) {
    try {
      return readFileSync(file);
    } catch (err) {
      const code = err instanceof Error && "code" in err ? String(err.code) : String(err);
      throw new UserError(`cannot read --file ${file}: ${code === "ENOENT" ? "no such file" : code}`);
    }
  }
  if (process.stdin.isTTY) {
    throw new UserError("no value: give it as an argument, with --file PATH, or pipe it on stdin");
  }
  return readStdin();
}
