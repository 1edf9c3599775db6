/**
 * Secrets for a worker run on a developer's machine (`sluice worker try`
 * against the real API): from the environment, else from a local JSON file
 * (default .sluice/secrets.json, git-ignored), looked up by the name the
 * worker asks for and then by the secret id the catalog maps it to.
 *
 *   SLUICE_SECRET_<NAME>=…            name upper-cased, anything but letters and digits as _
 *   { "<name or secret id>": "…" }    in the file
 */
import { existsSync, readFileSync } from "node:fs";
import { SluiceError } from "../../errors";
import type { SecretSource } from "../http/ports";

export const DEFAULT_SECRETS_FILE = ".sluice/secrets.json";

export function secretEnvName(name: string): string {
  return `SLUICE_SECRET_${name.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
}

export class LocalSecretError extends SluiceError {}

/** `names`: the catalog's worker.secrets (name → id), so a value may be filed under either. */
export function localSecrets(names: Readonly<Record<string, string>>, opts: { env?: NodeJS.ProcessEnv; file?: string } = {}): SecretSource {
  const env = opts.env ?? process.env;
  const file = opts.file ?? DEFAULT_SECRETS_FILE;
  let filed: Record<string, unknown> | undefined;
  const readFile = (): Record<string, unknown> => {
    if (filed) return filed;
    if (!existsSync(file)) return (filed = {});
    try {
      const parsed = JSON.parse(readFileSync(file, "utf8")) as unknown;
      if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("expected an object of name → value");
      return (filed = parsed as Record<string, unknown>);
    } catch (err) {
      throw new LocalSecretError(`${file}: ${(err as Error).message}`);
    }
  };
  const byId = new Map(Object.entries(names).map(([name, id]) => [id, name]));
  return {
    async getSecret(id: string): Promise<string> {
      const name = byId.get(id) ?? id;
      const fromEnv = env[secretEnvName(name)];
      if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
      const values = readFile();
      const value = values[name] ?? values[id];
      if (typeof value === "string" && value !== "") return value;
      throw new LocalSecretError(`not set locally: export ${secretEnvName(name)}=… or add "${name}" to ${file}`);
    },
  };
}
