/**
 * `kubectl replistore completion bash|zsh`: a static completion script generated from the plugin's
 * command tree (commander has none of its own): subcommands, then each command's flags, and the
 * choices of a flag that has some (-o json|yaml). For the kubectl-replistore executable; zsh
 * runs the same script through bashcompinit.
 */
import type { Command } from "commander";
import { UserError } from "../../../errors.ts";

export const SHELLS = ["bash", "zsh"] as const;
export type Shell = (typeof SHELLS)[number];

interface Node {
  /** words from the plugin's root, space-joined, with a leading space ("" for the root) */
  path: string;
  words: string[];
}

function flagsOf(command: Command): string[] {
  return command.options
    .filter((o) => !o.hidden)
    .flatMap((o) => [o.short, o.long].filter((f): f is string => typeof f === "string"));
}

function walk(command: Command, path: string, out: Node[], inherited: string[]): void {
  const subs = command.commands.filter((c) => !isHidden(c));
  const flags = [...new Set([...flagsOf(command), ...inherited])];
  out.push({ path, words: [...subs.map((c) => c.name()), ...flags] });
  for (const sub of subs) walk(sub, `${path} ${sub.name()}`, out, []);
}

/** Flags that take one of a fixed set of values, with those values. */
function choices(command: Command, out: Map<string, string[]>): void {
  for (const o of command.options) {
    if (!o.argChoices) continue;
    for (const f of [o.short, o.long]) if (f) out.set(f, o.argChoices);
  }
  for (const sub of command.commands) choices(sub, out);
}

const quote = (s: string) => `"${s.replace(/(["\\$`])/g, "\\$1")}"`;

/** The bash script for `root` (the plugin's command: `replistore kubectl`), completing `executable`. */
export function bashCompletion(root: Command, executable = "kubectl-replistore"): string {
  const nodes: Node[] = [];
  walk(root, "", nodes, ["--help"]);
  const values = new Map<string, string[]>();
  choices(root, values);
  const fn = `_${executable.replace(/[^A-Za-z0-9]/g, "_")}`;
  const paths = nodes.filter((n) => n.path !== "").map((n) => quote(n.path));
  const lines = [
    `# ${executable} completion (bash), generated from its command tree.`,
    `#   source <(${executable === "kubectl-replistore" ? "kubectl replistore" : executable} completion bash)`,
    `${fn}() {`,
    // bash passes the word being completed as $2 and the one before it as $3
    '  local cur="$2" prev="$3" path="" w i',
    '  case "$prev" in',
    ...[...values.entries()].map(
      ([flag, vals]) =>
        `    ${flag}) COMPREPLY=($(compgen -W ${quote(vals.join(" "))} -- "$cur")); return ;;`,
    ),
    "  esac",
    "  for ((i = 1; i < COMP_CWORD; i++)); do",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: bash's own ${...}, not a template
    '    w="${COMP_WORDS[i]}"',
    '    case "$path $w" in',
    `      ${paths.join("|")}) path="$path $w" ;;`,
    "    esac",
    "  done",
    '  local words=""',
    '  case "$path" in',
    ...nodes.map((n) => `    ${quote(n.path)}) words=${quote(n.words.join(" "))} ;;`),
    "  esac",
    '  COMPREPLY=($(compgen -W "$words" -- "$cur"))',
    "}",
    `complete -F ${fn} ${executable}`,
  ];
  return `${lines.join("\n")}\n`;
}

const isHidden = (c: Command) => (c as unknown as { _hidden?: boolean })._hidden === true;

/**
 * What may follow `words` (the arguments after the plugin's name, the last one being completed):
 * the values of a flag that has choices, else subcommands and flags starting with the last word.
 * For `kubectl replistore <TAB>`, which kubectl (1.26+) asks bin/kubectl_complete-replistore for.
 */
export function candidates(root: Command, words: readonly string[]): string[] {
  const current = words.at(-1) ?? "";
  let command = root;
  for (const w of words.slice(0, -1)) {
    const sub = command.commands.find((c) => c.name() === w && !isHidden(c));
    if (sub) command = sub;
  }
  const prev = words.at(-2);
  const all = new Map<string, string[]>();
  choices(root, all);
  const values = prev === undefined ? undefined : all.get(prev);
  const pool = values ?? [
    ...command.commands.filter((c) => !isHidden(c)).map((c) => c.name()),
    ...(current.startsWith("-") ? [...flagsOf(command), "--help"] : []),
  ];
  return [...new Set(pool)].filter((w) => w.startsWith(current));
}

export function completionScript(shell: string, root: Command): string {
  if (shell === "bash") return bashCompletion(root);
  if (shell === "zsh") {
    return `#compdef kubectl-replistore\n# zsh: the bash script through bashcompinit.\nautoload -U +X bashcompinit && bashcompinit\n${bashCompletion(root)}`;
  }
  throw new UserError(`no completion for shell ${shell}: choose one of ${SHELLS.join(", ")}`);
}
