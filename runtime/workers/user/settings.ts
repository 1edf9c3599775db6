/**
 * A provider's worker.settings against the schema its worker declares, and
 * what the worker binds to in its catalog entry (its secrets by name, where
 * it lands). The built-in http worker binds the same way as a provider's own.
 */
import type { WorkerConfig } from "../../catalog/schema";
import { describeIssue, fieldPath, valueAt } from "../../catalog/issues";
import type { WorkerDefinition } from "./define";

export type SettingsResult<S> = { ok: true; settings: S } | { ok: false; problems: string[] };

/** One line per problem, naming the field as `worker.settings.<path>`. */
export function parseSettings<S>(definition: WorkerDefinition<S>, raw: unknown): SettingsResult<S> {
  const parsed = definition.settings.safeParse(raw ?? {});
  if (parsed.success) return { ok: true, settings: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.map((issue) => describeIssue(issue, fieldPath(["worker", "settings", ...issue.path]), valueAt(raw, issue.path))),
  };
}

/** Workers that run on the user contract (every one but the chaos simulator). */
export type ContractWorker = Exclude<WorkerConfig, { module: "chaos" }>;

export interface WorkerBinding {
  /** worker.settings as the catalog holds them. */
  settings: unknown;
  /** ctx.secret(name) → Secrets Manager secret id. */
  secretIds: Record<string, string>;
  /** The provider's own landing bucket, if its settings name one (else the stack's). */
  bucket?: string;
}

export function workerBinding(worker: ContractWorker): WorkerBinding {
  if (worker.module === "http") {
    return {
      settings: worker.settings,
      // Same name as HTTP_CREDENTIAL in ../http/http.ts (not imported: it would pull the http worker into every bundle).
      secretIds: { credential: worker.settings.secretId },
      ...(worker.settings.bucket !== undefined ? { bucket: worker.settings.bucket } : {}),
    };
  }
  return { settings: worker.settings, secretIds: { ...worker.secrets } };
}

export function isContractWorker(worker: WorkerConfig): worker is ContractWorker {
  return worker.module !== "chaos";
}
