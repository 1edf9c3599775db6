/**
 * A zod issue as one readable line naming the provider, the field and the
 * value: `providers.json: provider "acme" (#2): maxConcurrency must be number, got "ten"`.
 */
import type { z } from "zod";

/** `provider "acme" (#2)`, or `provider #2` when the entry has no usable id. */
export function label(raw: unknown, index: number): string {
  const id = (raw as { id?: unknown } | null)?.id;
  return typeof id === "string" && id.length > 0 ? `provider "${id}" (#${index + 1})` : `provider #${index + 1}`;
}

/** A zod issue path as a field name: `worker.settings.slowMs`, `accessWindows[0].start`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join("");
}

/** The value a zod issue path points at in the raw input, for messages that quote it. */
export function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const key of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

const show = (v: unknown): string => (typeof v === "string" ? JSON.stringify(v) : String(JSON.stringify(v) ?? v));

/** One readable phrase per zod issue; `field` is the path inside the provider (or catalog). */
export function describeIssue(issue: z.core.$ZodIssue, field: string, value: unknown): string {
  const subject = field ? `${field} ` : "";
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((k) => `unknown field "${field ? `${field}.` : ""}${k}"`).join("; ");
    case "invalid_union": {
      const options = "options" in issue && issue.options ? issue.options.map(show).join(", ") : undefined;
      return options ? `${subject}${show(value)} is not one of ${options}` : `${subject}is not valid: ${issue.message}`;
    }
    case "invalid_type":
      return value === undefined ? `${subject}is required` : `${subject}must be ${issue.expected}, got ${show(value)}`;
    case "invalid_value":
      return `${subject}${show(value)} is not one of ${issue.values.map(show).join(", ")}`;
    case "too_small":
      return typeof value === "number"
        ? `${subject}${value} is below the minimum ${String(issue.minimum)}`
        : `${subject}must have at least ${String(issue.minimum)} ${issue.origin === "string" ? "characters" : "items"}`;
    case "too_big":
      return typeof value === "number"
        ? `${subject}${value} is above the maximum ${String(issue.maximum)}`
        : `${subject}must have at most ${String(issue.maximum)} ${issue.origin === "string" ? "characters" : "items"}`;
    case "custom":
      // A message written as the rest of a sentence about the value.
      if ((issue.params as { phrase?: boolean } | undefined)?.phrase) return `${subject}${show(value)} ${issue.message}`;
      return `${subject}${show(value)}: ${issue.message}`;
    default:
      return `${subject}${show(value)}: ${issue.message}`;
  }
}

/** The discriminator of the worker union (runtime/catalog/schema.ts). */
const WORKER_KEY = "module";

/**
 * A failed union of objects told apart by `module` (the worker): the issues of the branch whose
 * `module` matched, with the union's path in front; none matched: one issue naming `module`.
 */
export function unionIssues(issue: z.core.$ZodIssue): z.core.$ZodIssue[] {
  if (issue.code !== "invalid_union" || !("errors" in issue) || issue.errors.length === 0) return [issue];
  const matched = issue.errors.filter((branch) => !branch.some((i) => i.path.length === 1 && i.path[0] === WORKER_KEY));
  if (matched.length === 1) return matched[0]!.flatMap((i) => unionIssues({ ...i, path: [...issue.path, ...i.path] } as z.core.$ZodIssue));
  if (matched.length === 0 && issue.errors.every((branch) => branch.some((i) => i.path[0] === WORKER_KEY))) {
    return [{ code: "custom", path: [...issue.path, WORKER_KEY], message: `is not one of "chaos", "http", nor the path of a worker module ("./workers/<id>.ts")`, params: { phrase: true }, input: undefined }];
  }
  return [issue];
}

export function formatIssue(source: string, raw: unknown, issue: z.core.$ZodIssue): string {
  const [head, index, ...rest] = issue.path;
  const value = valueAt(raw, issue.path);
  if (head === "providers" && typeof index === "number") {
    const provider = (raw as { providers: unknown[] }).providers[index];
    return `${source}: ${label(provider, index)}: ${describeIssue(issue, fieldPath(rest), value)}`;
  }
  return `${source}: ${describeIssue(issue, fieldPath(issue.path), value)}`;
}
