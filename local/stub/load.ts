/** The stub next to a provider's worker module: `workers/acme.ts` → `workers/acme.stub.ts`. */
import { existsSync } from "node:fs";
import * as path from "node:path";
import { ProblemsError } from "../../runtime/errors";
import { workerModuleFile, type CustomProvider } from "../../runtime/workers/user/load";
import { isStub, type Stub } from "./define";

export function stubFile(provider: CustomProvider, catalogFile: string): string {
  const file = workerModuleFile(provider, catalogFile);
  const ext = path.extname(file);
  return `${file.slice(0, file.length - ext.length)}.stub${ext || ".ts"}`;
}

export function loadStub(provider: CustomProvider, catalogFile: string): { file: string; stub: Stub } {
  const file = stubFile(provider, catalogFile);
  const shown = path.relative(process.cwd(), file) || file;
  const where = `provider "${provider.id}"`;
  if (!existsSync(file)) throw new ProblemsError([`${where}: no stub at ${shown}: a provider's own worker runs locally against its stub (docs/workers.md)`]);
  let exports: Record<string, unknown>;
  try {
    exports = require(file) as Record<string, unknown>;
  } catch (err) {
    throw new ProblemsError([`${where}: stub ${shown} could not be loaded: ${((err as Error).message ?? String(err)).split("\n")[0]}`]);
  }
  const stub = exports.default ?? exports.stub;
  if (!isStub(stub)) throw new ProblemsError([`${where}: stub ${shown} does not export \`default defineStub(...)\``]);
  return { file, stub };
}
