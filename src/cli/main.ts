#!/usr/bin/env -S node --disable-warning=ExperimentalWarning
import { exitCodeFor } from "./exit.ts";
import { buildProgram } from "./program.ts";

try {
  await buildProgram().parseAsync(process.argv);
} catch (err) {
  process.exitCode = exitCodeFor(
    err,
    (text) => process.stderr.write(text),
    Boolean(process.env.REPLISTORE_DEBUG),
  );
}
