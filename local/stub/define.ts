/**
 * A stub provider: a small HTTP server a provider's worker is run against in
 * its tests, in `sluice worker try --stub` and in `sluice local`, described
 * next to the worker as `workers/<id>.stub.ts`:
 *
 *   export default defineStub({
 *     secrets: { apiKey: "test-key" },                 // what ctx.secret(name) returns against the stub
 *     settings: (url) => ({ baseUrl: url }),           // worker.settings overrides pointing the worker here
 *     records: { route: "/items/{id}", responses: { "r-1": { json: {...} } }, otherwise: (id) => ({ json: {...} }) },
 *     handle: (req) => …,                              // anything else (a token endpoint…); undefined falls through
 *   });
 *
 * Canned responses per id, a handler, or both (the handler is asked first).
 * Unmatched requests answer 404.
 */
import type { ChaosSettings } from "../../runtime/catalog/schema";

export interface StubRequest {
  method: string;
  /** Path without the query string, as sent (still URL-encoded). */
  path: string;
  query: URLSearchParams;
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
  body: string;
}

export interface StubResponse {
  /** @default 200 */
  status?: number;
  headers?: Record<string, string>;
  /** Sent as JSON (content-type application/json). */
  json?: unknown;
  /** Sent as is; give a content-type header. */
  body?: string;
}

export type StubAnswer = StubResponse | undefined | Promise<StubResponse | undefined>;

export interface StubRecords {
  /** Path of one record; `{id}` matches one URL-encoded path segment. */
  route: string;
  responses?: Record<string, StubResponse>;
  /** The answer for ids not in `responses`. @default 404 */
  otherwise?: (id: string, request: StubRequest) => StubAnswer;
}

export interface StubDefinition {
  /** Values of the worker's secrets by the names its code asks for (ctx.secret(name)). */
  secrets?: Record<string, string>;
  /** worker.settings that point the worker at the stub, merged over the catalog's. */
  settings?: (baseUrl: string) => Record<string, unknown>;
  records?: StubRecords;
  handle?: (request: StubRequest) => StubAnswer;
  /**
   * Which requests get the profile's latency, errors and 429s injected in local mode.
   * @default every request
   */
  inject?: (request: StubRequest) => boolean;
  /** The record ids `sluice local` enqueues (ids the provider knows). @default `<provider>-record-<n>` */
  ids?: (count: number) => string[];
  /** Overrides of the simulated profile local mode derives from the catalog's thresholds. */
  profile?: Partial<ChaosSettings>;
}

const STUB_BRAND = Symbol.for("sluice.stub");

export type Stub = StubDefinition & { readonly [STUB_BRAND]: true };

export function defineStub(definition: StubDefinition): Stub {
  return { ...definition, [STUB_BRAND]: true };
}

export function isStub(value: unknown): value is Stub {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[STUB_BRAND] === true;
}
