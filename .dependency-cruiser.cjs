/**
 * The allowed directions of imports between src/ folders (docs/architecture.md draws them).
 * `npm run check` runs this; known violations still being moved away are listed in
 * .dependency-cruiser-known-violations.json and may only shrink (`npm run deps:baseline` rewrites it).
 *
 * Layers, top to bottom: cli → operator, runtime → review, repair → client → node → builders →
 * config → api, wire, monitoring → errors. A folder imports only from layers below it.
 */
const folder = (name) => `^src/${name}/`;

/** A rule forbidding `from` to import any of `to`. */
const forbid = (name, comment, from, to) => ({
  name,
  comment,
  severity: "error",
  from: { path: from },
  to: { path: to },
});

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "A cycle means two modules cannot be understood or changed apart.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    forbid(
      "nothing-imports-cli",
      "cli/ is the entry point; nothing depends on it.",
      "^src/(?!cli/)",
      folder("cli"),
    ),
    forbid(
      "api-stands-alone",
      "The manifest types and rules depend only on themselves (and the alert names a manifest may switch off).",
      folder("api"),
      "^src/(?!api/|errors\\.ts$|monitoring/alerts\\.ts$)",
    ),
    forbid(
      "wire-stands-alone",
      "The wire's schemas are the bottom layer every side decodes with.",
      folder("wire"),
      "^src/(?!wire/|errors\\.ts$)",
    ),
    forbid(
      "config-from-api-only",
      "manifest → config → node: config reads the API types, nothing else.",
      folder("config"),
      "^src/(?!config/|api/|errors\\.ts$)",
    ),
    forbid(
      "builders-are-pure",
      "Builders turn a manifest into Kubernetes objects and know nothing of who applies them.",
      folder("builders"),
      "^src/(?!builders/|api/|config/|monitoring/|errors\\.ts$)",
    ),
    forbid(
      "node-below-its-users",
      "The node is used by the runtimes; it never reaches up into them or into the repair Job, and its own anti-entropy (trees, handoff) lives inside it.",
      folder("node"),
      "^src/(operator|runtime|review|cli|builders|client|repair|antientropy)/",
    ),
    forbid(
      "node-parts-not-the-assembly",
      "Routes, peers and strategies take the parts they use (src/node/parts.ts); only main.ts knows the whole node.",
      "^src/node/(?!main\\.ts$)",
      "^src/node/replica-node\\.ts$",
    ),
    forbid(
      "client-below-its-users",
      "The store client speaks the wire; it knows nothing of the node's insides or its users.",
      folder("client"),
      "^src/(node|operator|runtime|review|cli|repair|antientropy)/",
    ),
    forbid(
      "repair-through-the-wire",
      "The repair Job reaches nodes only through src/wire and src/client, never the node's code.",
      "^src/(repair|antientropy/repair)/",
      "^src/(node|operator|runtime|review|cli)/",
    ),
    forbid(
      "backup-through-the-wire",
      "Backups reach nodes through src/wire (like the repair Job) and know nothing of who runs them; the node reads backups through src/backup, never the other way.",
      folder("backup"),
      "^src/(node|operator|runtime|review|cli|builders)/",
    ),
    forbid(
      "review-through-the-wire",
      "The review page reaches nodes through the client; the runtimes host it, not the other way.",
      folder("review"),
      "^src/(node|operator|runtime|cli|builders)/",
    ),
    forbid(
      "operator-not-the-node",
      "The operator runs nodes in pods; it does not import the node or the local runtime.",
      folder("operator"),
      "^src/(node|runtime|cli)/",
    ),
    forbid(
      "runtime-not-the-operator",
      "The local runtime does not need Kubernetes.",
      folder("runtime"),
      "^src/(operator|cli)/",
    ),
  ],
  options: {
    // TypeScript 7's API lacks what dependency-cruiser needs; swc parses the .ts sources.
    parser: "swc",
    tsConfig: { fileName: "tsconfig.json" },
    doNotFollow: { path: "node_modules" },
    exclude: { path: "node_modules" },
  },
};
