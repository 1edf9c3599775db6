/** The ledger's domain errors. No store or SDK error passes the Ledger without becoming one of these. */
import { SluiceError } from "../errors";
import type { ItemKey } from "./store";
import type { LedgerEntry } from "./types";

/** The store could not be reached or refused the request for a reason other than a condition. */
export class LedgerUnavailableError extends SluiceError {
  constructor(
    /** Ledger operation, e.g. "claim". */
    readonly operation: string,
    /** Store operation that failed, e.g. "update". */
    readonly storeOperation: string,
    readonly providerId: string,
    readonly key: ItemKey | null,
    options: { cause?: unknown; detail: string },
  ) {
    super(`ledger of provider "${providerId}" unavailable during ${operation} (${storeOperation}${key ? ` ${key.pk} ${key.sk}` : ""}): ${options.detail}`, options);
  }
}

/**
 * A transition the record's stored state does not allow: completing a done
 * record, failing or releasing a claim another invocation now holds, ...
 * Carries the stored entry (null when there is none) so the caller decides
 * without a second read.
 */
export class LedgerConflictError extends SluiceError {
  constructor(
    readonly operation: "complete" | "fail" | "release" | "markDead" | "keepForLanding" | "redrive",
    readonly recordId: string,
    readonly day: string,
    readonly stored: LedgerEntry | null,
    why?: string,
  ) {
    super(
      `ledger ${operation} of record "${recordId}" on ${day} refused: ` +
        (why ? `${why}; ` : "") +
        (stored ? `it is ${stored.status} after ${stored.attempts} attempt(s)${stored.status === "in-progress" ? ` under a lease until ${new Date(stored.leaseUntil ?? 0).toISOString()}` : ""}` : "it has no entry (never claimed)"),
    );
  }
}

/** A ledger call with a value it cannot use; names the field and the value. */
export class LedgerInputError extends SluiceError {
  constructor(
    readonly field: string,
    readonly value: unknown,
    expected: string,
  ) {
    super(`ledger ${field} ${JSON.stringify(value)} is invalid: expected ${expected}`);
  }
}

/** A stored item the ledger cannot read (hand-edited, or written by an incompatible version). */
export class LedgerDataError extends SluiceError {
  constructor(
    readonly key: ItemKey,
    readonly field: string,
    readonly value: unknown,
  ) {
    super(`ledger item ${key.pk} ${key.sk} has an unreadable ${field}: ${JSON.stringify(value)}`);
  }
}

/** Reservations kept colliding with refunds; gives up rather than loop. */
export class LedgerContentionError extends SluiceError {
  constructor(
    readonly operation: string,
    readonly day: string,
    readonly rounds: number,
  ) {
    super(`ledger ${operation} for ${day} still conflicted after ${rounds} conditional writes`);
  }
}
