/**
 * The instant a deploy is judged at. A real `pulumi preview` / `pulumi up`
 * uses the wall clock of the machine running it. Tests and `sluice
 * policy-check --at` inject one; so can a CLI run through the environment
 * variable SLUICE_POLICY_NOW or the maintenance policy's config `now`. Every
 * message that depends on the time names the instant and where it came from,
 * so an injected clock is never silent.
 */
import { SluiceError } from "../runtime/errors";

export const NOW_ENV = "SLUICE_POLICY_NOW";

export interface Instant {
  /** Epoch milliseconds. */
  at: number;
  /** Where the instant came from: "wall clock", "SLUICE_POLICY_NOW", "--at", "policy config now". */
  source: string;
}

export type PolicyClock = () => Instant;

export class PolicyClockError extends SluiceError {
  constructor(
    readonly field: string,
    readonly value: string,
  ) {
    super(`${field} ${JSON.stringify(value)} is not an ISO 8601 instant with a zone, e.g. 2026-01-06T12:00:00Z or 2026-01-06T13:00:00+01:00`);
  }
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Epoch ms of an ISO 8601 instant; a zone is required, since a bare local time is ambiguous. */
export function parseInstant(value: string, field: string): number {
  const at = ISO_INSTANT.test(value) ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(at)) throw new PolicyClockError(field, value);
  return at;
}

export function fixedClock(at: number, source: string): PolicyClock {
  return () => ({ at, source });
}

/** SLUICE_POLICY_NOW when set, else the wall clock, read at each call. */
export function defaultPolicyClock(env: NodeJS.ProcessEnv = process.env, wall: () => number = Date.now): PolicyClock {
  return () => {
    const injected = env[NOW_ENV];
    if (injected !== undefined && injected !== "") return { at: parseInstant(injected, NOW_ENV), source: NOW_ENV };
    return { at: wall(), source: "wall clock" };
  };
}

/** The policy config's `now` wins over the clock. */
export function instantFor(configNow: string | undefined, clock: PolicyClock): Instant {
  if (configNow !== undefined) return { at: parseInstant(configNow, "now"), source: "policy config now" };
  return clock();
}

/** "2026-01-06T12:00:00Z" (no milliseconds when there are none). */
export function isoInstant(at: number): string {
  return new Date(at).toISOString().replace(".000Z", "Z");
}
