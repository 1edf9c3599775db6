/**
 * When a provider day's ledger items may go: TTL deletes them after the day
 * plus `ttlDays`, so a record can be checked for a while after its day ended.
 *
 *   expiresAt = epoch seconds of (start of the day after `day`, in the provider's zone) + ttlDays calendar days
 */
import { DateTime, IANAZone } from "luxon";
import { LedgerInputError } from "./errors";

const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

export function startOfDay(day: string, timezone: string): DateTime {
  const start = DAY_PATTERN.test(day) ? DateTime.fromISO(day, { zone: timezone }) : null;
  if (!start?.isValid) throw new LedgerInputError("day", day, "a calendar date YYYY-MM-DD");
  return start;
}

export function expiresAtFor(day: string, timezone: string, ttlDays: number): number {
  const key = `${day}|${timezone}|${ttlDays}`;
  const known = expiries.get(key);
  if (known !== undefined) return known;
  const expiresAt = Math.floor(startOfDay(day, timezone).plus({ days: 1 + ttlDays }).toSeconds());
  // Every record item of a day asks the same question: remember a few answers (a pure function).
  if (expiries.size >= 64) expiries.clear();
  expiries.set(key, expiresAt);
  return expiresAt;
}

const expiries = new Map<string, number>();

/** Zones already checked: luxon builds an Intl formatter for every check, and a Ledger is made per invocation. */
const zones = new Map<string, boolean>();

export function isValidZone(timezone: string): boolean {
  let valid = zones.get(timezone);
  if (valid === undefined) zones.set(timezone, (valid = IANAZone.isValidZone(timezone)));
  return valid;
}
