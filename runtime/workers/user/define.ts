/**
 * The contract a provider's own worker implements:
 *
 *   export default defineWorker(Settings, async (record, ctx) => { … });
 *
 * `Settings` is a zod schema for the catalog entry's `worker.settings` (checked
 * by `sluice validate` and again when the function starts); without one the
 * worker takes no settings. The function fetches one record through
 * `ctx.fetch`, hands what to keep to `ctx.land`, and returns `ok()`, nothing,
 * or one of the outcomes in outcome.ts. sluice wraps it (run.ts) with the
 * ledger guard, the classification, the answer the ventilator checks and the
 * metrics; the worker never sees any of them.
 */
import * as z from "zod";
import type { Ok, WorkerOutcome } from "./outcome";
import type { WorkerFetch } from "./fetch";

export interface WorkerRecord {
  id: string;
  /** What was enqueued with the id (`sluice enqueue --payload`), if anything. */
  payload?: unknown;
}

export interface LandOptions {
  /** Object key under `<provider>/<day>/`. @default `<url-encoded record id>` + an extension from the content type */
  key?: string;
  /** @default "application/json; charset=utf-8" for an object, "text/plain; charset=utf-8" for a string */
  contentType?: string;
}

export type LogFields = Record<string, unknown>;

/** One JSON line per call, with the provider, record and level (CloudWatch Logs in Lambda). */
export interface WorkerLogger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export interface WorkerContext<S> {
  providerId: string;
  /** The provider-local day (YYYY-MM-DD) the record is fetched for. */
  day: string;
  /** worker.settings from the catalog, parsed by the worker's schema (defaults filled). */
  settings: S;
  /** A secret by the name the catalog's worker.secrets gives it (Secrets Manager, cached per container). */
  secret(name: string): Promise<string>;
  /** fetch under the record's deadline, following same-origin redirects only (see fetch.ts). */
  fetch: WorkerFetch;
  /**
   * Hands a body to sluice to land (S3, `<provider>/<day>/<key>`) once the worker returns ok;
   * an object is written as JSON. Returns the full key. Once per record.
   */
  land(body: string | object, opts?: LandOptions): string;
  log: WorkerLogger;
  /** Milliseconds left before the record's deadline. */
  remainingMs(): number;
  /** Aborted at the record's deadline (for work other than ctx.fetch). */
  signal: AbortSignal;
}

export type WorkerResult = Ok | WorkerOutcome | void | undefined;

export type WorkerFunction<S> = (record: WorkerRecord, ctx: WorkerContext<S>) => Promise<WorkerResult> | WorkerResult;

const WORKER_BRAND = Symbol.for("sluice.worker");

export interface WorkerDefinition<S = unknown> {
  readonly [WORKER_BRAND]: true;
  /** Schema of worker.settings. */
  readonly settings: z.ZodType<S>;
  readonly run: WorkerFunction<S>;
}

/** A worker without settings: worker.settings must be absent or {}. */
export function defineWorker(run: WorkerFunction<Record<string, never>>): WorkerDefinition<Record<string, never>>;
export function defineWorker<Schema extends z.ZodType>(settings: Schema, run: WorkerFunction<z.output<Schema>>): WorkerDefinition<z.output<Schema>>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the overloads above carry the types
export function defineWorker(a: z.ZodType | WorkerFunction<any>, b?: WorkerFunction<any>): WorkerDefinition<any> {
  if (typeof a === "function") return { [WORKER_BRAND]: true, settings: z.strictObject({}), run: a };
  if (!(a instanceof z.ZodType)) throw new TypeError("defineWorker(settings, run): settings must be a zod schema");
  if (typeof b !== "function") throw new TypeError("defineWorker(settings, run): run must be a function");
  return { [WORKER_BRAND]: true, settings: a, run: b };
}

/** Branded by a registered symbol, so a definition from another copy of this module is still recognised. */
export function isWorkerDefinition(value: unknown): value is WorkerDefinition {
  if (value === null || typeof value !== "object") return false;
  const v = value as Record<PropertyKey, unknown>;
  return v[WORKER_BRAND] === true && typeof v.run === "function" && typeof (v.settings as { safeParse?: unknown } | undefined)?.safeParse === "function";
}
