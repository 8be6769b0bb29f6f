/** `replistore up`'s conflict review page (src/review), for its one store. */
import { localDirectory } from "../client/discovery/local-directory.ts";
import { type ReviewServer, startReviewServer } from "../review/server.ts";

export interface UpReviewAddress {
  host: string;
  port: number;
  /** given with --review-listen: a busy port is an error, not a reason to move */
  fixed: boolean;
}

function isErrno(err: unknown, code: string): boolean {
  return err instanceof Error && "code" in err && err.code === code;
}

/** Starts the page; a page that cannot start is a warning, never a reason to stop the store. */
export async function startUpReview(
  address: UpReviewAddress,
  store: {
    name: string;
    mode: string;
    members: { id: string; url: string }[];
    /** whether the store asks for tokens */
    auth: boolean;
    /** the file of the admin token the page needs to resolve, when there is one */
    tokenFile: string | undefined;
    ca?: string;
  },
  warn: (line: string) => void,
): Promise<ReviewServer | undefined> {
  const directory = localDirectory({
    name: store.name,
    mode: store.mode,
    members: store.members.map((m) => ({ id: m.id, url: m.url })),
    auth: store.auth,
    ...(store.tokenFile ? { tokenFile: store.tokenFile } : {}),
    ...(store.ca !== undefined ? { ca: store.ca } : {}),
  });
  try {
    return await startReviewServer(directory, address.host, address.port);
  } catch (err) {
    if (!address.fixed && isErrno(err, "EADDRINUSE")) {
      return startReviewServer(directory, address.host, 0).catch((again: unknown) => {
        warn(`warning: no conflict review page: ${again instanceof Error ? again.message : String(again)}`);
        return undefined;
      });
    }
    warn(
      `warning: no conflict review page on ${address.host}:${address.port}: ${err instanceof Error ? err.message : String(err)}`,
    );
    return undefined;
  }
}
