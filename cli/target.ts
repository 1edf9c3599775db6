/**
 * The options every pipeline command shares — which catalog, which stack (or
 * which stack outputs), which provider — and their resolution into a catalog
 * provider and a ResourceSource. Mistakes become one-line CliInputErrors.
 */
import { Option, type Command } from "commander";
import { readFile } from "node:fs/promises";
import { userInfo } from "node:os";
import { DEFAULT_CATALOG, loadCatalog } from "../runtime/catalog/load";
import { findProvider, type Catalog, type Provider } from "../runtime/catalog/provider";
import { CliInputError } from "./errors";
import { parseStackOutputs, type ResourceSource } from "./resources";

export const DEFAULT_STACK = "dev";

export interface TargetOptions {
  catalog: string;
  stack: string;
  outputs?: string;
}

export function addTargetOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option("-c, --catalog <file>", "provider catalog").default(DEFAULT_CATALOG))
    .addOption(new Option("--stack <name>", "stack whose naming convention names the resources (sluice-<stack>-<provider>…)").env("SLUICE_STACK").default(DEFAULT_STACK))
    .addOption(new Option("--outputs <file>", "read resource names from `pulumi stack output --json` saved in <file> (- for stdin) instead of --stack").env("SLUICE_OUTPUTS"));
}

export const TARGET_HELP = `
Resources are found by the naming convention of --stack (default "${DEFAULT_STACK}", or $SLUICE_STACK),
or from stack outputs: pulumi stack output --json > outputs.json; sluice … --outputs outputs.json.
AWS endpoints, region and credentials come from the usual AWS settings; AWS_ENDPOINT_URL_KINESIS,
AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL_LAMBDA point them at the local engines (see \`sluice local\`).`;

/** The text of a file, or of stdin for "-"; unreadable files are named with the reason. */
export async function readInput(path: string, what: string): Promise<string> {
  if (path === "-") return readStdin(what);
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === "ENOENT" ? "no such file" : e.code === "EISDIR" ? "is a directory" : e.code === "EACCES" ? "permission denied" : e.message;
    throw new CliInputError([`cannot read ${what} ${path}: ${why}`]);
  }
}

/** All of stdin; refuses a terminal, where the command would otherwise wait silently for input. */
export async function readStdin(what: string): Promise<string> {
  if (process.stdin.isTTY) throw new CliInputError([`${what} expected on stdin, but stdin is a terminal: pipe it in or name a file`]);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}

export interface Target {
  catalog: Catalog;
  source: ResourceSource;
}

export async function resolveTarget(cmd: Command, opts: TargetOptions): Promise<Target> {
  const catalog = loadCatalog(opts.catalog);
  if (opts.outputs === undefined) return { catalog, source: { kind: "naming", stack: opts.stack } };
  if (cmd.getOptionValueSource("stack") === "cli") throw new CliInputError(["give either --stack or --outputs, not both: the outputs already name the stack's resources"]);
  const label = opts.outputs === "-" ? "stdin" : opts.outputs;
  return { catalog, source: parseStackOutputs(await readInput(opts.outputs, "stack outputs"), label) };
}

export function requireProvider(catalog: Catalog, id: string, catalogPath: string): Provider {
  const provider = findProvider(catalog, id);
  if (provider) return provider;
  const known = catalog.providers.map((p) => p.id);
  throw new CliInputError([`unknown provider "${id}": ${catalogPath} declares ${known.length > 0 ? known.join(", ") : "no providers"}`]);
}

/** Who an operator action is recorded as: --by, else the OS user. */
export function operatorName(by: string | undefined): string {
  if (by !== undefined) {
    if (by.trim() === "") throw new CliInputError(["--by must not be empty"]);
    return by.trim();
  }
  try {
    const name = userInfo().username;
    if (name) return name;
  } catch {
    // No passwd entry (some containers): fall through to the environment.
  }
  return process.env.USER ?? process.env.LOGNAME ?? "unknown";
}
