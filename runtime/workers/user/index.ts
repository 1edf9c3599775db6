/**
 * `sluice/worker`: what a provider's own worker imports.
 *
 *   import { defineWorker, ok, z } from "sluice/worker";
 *   export default defineWorker(z.object({ baseUrl: z.url() }), async (record, ctx) => { … });
 *
 * See docs/workers.md. (Resolved by tsconfig `paths`, which TypeScript, tsx and esbuild all read.)
 */
/** Settings and answer schemas: import * as z from "zod" (a namespace import keeps the bundle tree-shaken). */
export { defineWorker } from "./define";
export type { LandOptions, LogFields, WorkerContext, WorkerDefinition, WorkerFunction, WorkerLogger, WorkerRecord, WorkerResult } from "./define";
export { authFailed, ok, permanent, throttled, transient, WorkerOutcome, type Ok, type OutcomeKind } from "./outcome";
export { checkStatus, retryAfterMs, statusOutcome } from "./status";
export { providerUrl } from "./schemas";
export type { WorkerFetch } from "./fetch";
