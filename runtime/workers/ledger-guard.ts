/**
 * sluice's part of every worker, around the worker's own code: it lands what
 * the worker fetched and marks the record done, from inside the worker, as
 * soon as the fetch succeeded.
 *
 * The ventilator claims a record before the call and records the result after
 * it; if the ventilator dies in between (timeout, crash), the record would
 * stay claimed, its lease would expire and it would be fetched a second time
 * that day. Completing here closes that gap: the side effect and its record
 * sit in one function. The ventilator skips its own write when `recorded`.
 *
 * Landing: a body the worker fetched is put in the landing store, tried
 * LAND_TRIES times. If it still fails, the fetch must not be repeated: the
 * body is kept in the record's ledger item (status landing) and the answer is
 * `landing` with `kept: true`; a later delivery sends a request in mode "land",
 * which lands the kept body without calling the provider. A body too large to
 * keep is answered with `kept: false` (the ventilator then ends the record
 * dead: an operator's redrive fetches it again).
 */
import type { Ledger } from "../ledger/ledger";
import { LedgerConflictError, LedgerUnavailableError } from "../ledger/errors";
import { LEDGER_STATUS } from "../ledger/types";
import type { Clock } from "../ventilator/ports";
import type { Landing, WorkerHandler, WorkerRequest, WorkerResponse } from "./contract";
import type { ObjectStore } from "./http/ports";

export type GuardLedger = Pick<Ledger, "complete" | "keepForLanding" | "keptBody" | "entry">;

export interface GuardPorts {
  /** A ledger per call (its claim memory is per invocation); absent: nothing is recorded, the ventilator writes. */
  ledger?: () => GuardLedger;
  /** Where fetched bodies land; required when the worker answers a `landing`. */
  land?: ObjectStore;
  clock: Clock;
  /** @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
}

/** Tries of a landing (and of a ledger write) within one invocation before the body is kept for later. */
export const LAND_TRIES = 3;
const RETRY_BASE_MS = 100;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function describe(err: unknown): string {
  return err instanceof Error ? err.message || err.name : String(err);
}

export function withLedgerGuard(worker: WorkerHandler, ports: GuardPorts): WorkerHandler {
  const sleep = ports.sleep ?? defaultSleep;

  /** Runs `attempt` up to LAND_TRIES times with a doubling pause; the last error is the reason. */
  const tried = async (attempt: () => Promise<void>, retryable: (err: unknown) => boolean = () => true): Promise<{ ok: true } | { ok: false; reason: string }> => {
    for (let i = 0; ; i++) {
      try {
        await attempt();
        return { ok: true };
      } catch (err) {
        if (i + 1 >= LAND_TRIES || !retryable(err)) return { ok: false, reason: describe(err) };
        await sleep(RETRY_BASE_MS * 2 ** i);
      }
    }
  };

  const land = (landing: Landing) => {
    if (!ports.land) return Promise.resolve({ ok: false as const, reason: "no landing store is configured" });
    const store = ports.land;
    return tried(() => store.put(landing.key, landing.body, landing.contentType));
  };

  /** Marks the record done; false when the ledger could not be written (the ventilator then writes). */
  const complete = async (request: WorkerRequest, metadata?: Record<string, unknown>): Promise<boolean> => {
    if (!ports.ledger) return false;
    const ledger = ports.ledger;
    let done = false;
    const result = await tried(
      async () => {
        try {
          await ledger().complete(request.recordId, request.day, ports.clock.now(), metadata);
          done = true;
        } catch (err) {
          // Done already (a late duplicate answer) is still done.
          if (err instanceof LedgerConflictError && err.stored?.status === LEDGER_STATUS.DONE) done = true;
          else throw err;
        }
      },
      (err) => err instanceof LedgerUnavailableError,
    );
    return result.ok && done;
  };

  /** The fetch happened and its landing failed: keep the body so no delivery fetches it again. */
  const keep = async (request: WorkerRequest, landing: Landing, why: string): Promise<WorkerResponse> => {
    const reason = `landing ${landing.key}: ${why}`;
    if (!ports.ledger) return { ok: false, kind: "landing", reason, kept: false };
    const ledger = ports.ledger;
    const outcome: { tooLarge?: number; done?: boolean } = {};
    const write = await tried(
      async () => {
        try {
          const result = await ledger().keepForLanding(request.recordId, request.day, ports.clock.now(), { ...landing, reason });
          if (!result.kept) outcome.tooLarge = result.bytes;
        } catch (err) {
          // Another call of the same record completed it meanwhile: its body landed, nothing is missing.
          if (err instanceof LedgerConflictError && err.stored?.status === LEDGER_STATUS.DONE) outcome.done = true;
          else throw err;
        }
      },
      (err) => err instanceof LedgerUnavailableError,
    );
    if (outcome.done) return { ok: true, recorded: true };
    if (!write.ok) return { ok: false, kind: "landing", reason: `${reason}; and the body could not be kept: ${write.reason}`, kept: false };
    if (outcome.tooLarge === undefined) return { ok: false, kind: "landing", reason, kept: true };
    return { ok: false, kind: "landing", reason: `${reason}; the body (${outcome.tooLarge} bytes) is too large to keep in the ledger`, kept: false };
  };

  /** Mode "land": the record was fetched on an earlier delivery; land its kept body, call nothing. */
  const landKept = async (request: WorkerRequest): Promise<WorkerResponse> => {
    if (!ports.ledger) return { ok: false, kind: "error", reason: "a landing request needs the ledger", providerCalled: false };
    const ledger = ports.ledger();
    const kept = await ledger.keptBody(request.recordId, request.day);
    if (!kept) {
      const entry = await ledger.entry(request.recordId, request.day);
      if (entry?.status === LEDGER_STATUS.DONE) return { ok: true, recorded: true };
      return { ok: false, kind: "error", reason: `nothing to land: the record is ${entry?.status ?? "unknown to the ledger"} and keeps no body`, providerCalled: false };
    }
    const landed = await land(kept);
    if (!landed.ok) return { ok: false, kind: "landing", reason: `landing ${kept.key}: ${landed.reason}`, kept: true };
    return { ok: true, metadata: { key: kept.key, bytes: Buffer.byteLength(kept.body) }, recorded: await complete(request, { key: kept.key, landedLate: true }) };
  };

  return async (request) => {
    if (request.mode === "land") return landKept(request);
    const response = await worker(request);
    if (!response.ok) return response;
    const { landing, ...answer } = response;
    if (landing) {
      const landed = await land(landing);
      if (!landed.ok) return keep(request, landing, landed.reason);
    }
    return { ...answer, recorded: await complete(request, answer.metadata) };
  };
}
