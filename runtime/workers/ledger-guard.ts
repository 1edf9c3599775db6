/**
 * Marks a record done from inside the worker, as soon as its fetch succeeded.
 * The ventilator claims a record before the call and records the result after
 * it; if the ventilator dies in between (timeout, crash), the record would
 * stay claimed, its lease would expire and it would be fetched a second time
 * that day. Completing here closes that gap: the side effect and its record
 * sit in one function. The ventilator skips its own write when `recorded`.
 */
import type { Ledger } from "../ledger/ledger";
import { LedgerConflictError } from "../ledger/errors";
import { LEDGER_STATUS } from "../ledger/types";
import type { Clock } from "../ventilator/ports";
import type { WorkerHandler } from "./contract";

export type CompletingLedger = Pick<Ledger, "complete">;

export function withLedgerGuard(worker: WorkerHandler, ledger: () => CompletingLedger, clock: Clock): WorkerHandler {
  return async (request) => {
    const response = await worker(request);
    if (!response.ok) return response;
    try {
      await ledger().complete(request.recordId, request.day, clock.now(), response.metadata);
      return { ...response, recorded: true };
    } catch (err) {
      // Done already (a late duplicate answer) is still done; any other failure leaves the write to the ventilator.
      if (err instanceof LedgerConflictError && err.stored?.status === LEDGER_STATUS.DONE) return { ...response, recorded: true };
      return { ...response, recorded: false };
    }
  };
}
