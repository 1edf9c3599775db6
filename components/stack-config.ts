/**
 * A stack's configuration file, Pulumi.<stack>.yaml, read without the Pulumi
 * CLI: `sluice validate --stack` and `sluice policy-check` judge the settings
 * a `pulumi up` of that stack would run with. Values are strings, as
 * `pulumi config get` shows them; secrets (`secure:` values) are left out, no
 * sluice setting is secret.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { StackConfigError, type ConfigSource } from "./settings";

export function stackConfigFile(stack: string, projectDir: string = process.cwd()): string {
  return path.join(projectDir, `Pulumi.${stack}.yaml`);
}

/** `namespace:key` → value, for every plain value under `config:`; throws StackConfigError naming the file. */
export function readStackConfig(file: string): Record<string, string> {
  const name = path.basename(file);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new StackConfigError([
      e.code === "ENOENT" ? `${name}: no such file (the stack's settings; \`pulumi config set aws:region <region>\` creates it)` : `${name}: ${e.message}`,
    ]);
  }
  let doc: unknown;
  try {
    doc = yaml.load(text);
  } catch (err) {
    const mark = (err as { mark?: { line: number; column: number } }).mark;
    const where = mark ? ` at line ${mark.line + 1}, column ${mark.column + 1}` : "";
    throw new StackConfigError([`${name}: invalid YAML${where}: ${(err as { reason?: string }).reason ?? (err as Error).message}`]);
  }
  const config = (doc as { config?: unknown } | null | undefined)?.config ?? {};
  if (config === null || typeof config !== "object" || Array.isArray(config)) throw new StackConfigError([`${name}: config is not a map of keys to values`]);
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(config as Record<string, unknown>)) {
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") values[key] = String(value);
  }
  return values;
}

/** The settings source a program run with these values would read (`sluice:*` keys, `aws:region`). */
export function configSource(stack: string, values: Record<string, string>): ConfigSource {
  return { stack, region: values["aws:region"], get: (key) => values[`sluice:${key}`] };
}
