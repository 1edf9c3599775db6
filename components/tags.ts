/**
 * Tags the ProviderPipeline puts on its resources. Every resource carries
 * `sluice/provider`; the event source mapping, the stream and the worker also
 * carry the provider's contract so a policy pack can check a deploy against it
 * without reading providers.json:
 *
 *   sluice/provider            provider id
 *   sluice/maxConcurrency      contractual cap on calls in flight, e.g. "8"
 *   sluice/maxFanOut           ceiling of the fan-out limit (calls one batch may have in flight), e.g. "4"
 *   sluice/concurrentBatches   shards × parallelization factor, e.g. "2"
 *   sluice/timezone            IANA zone of the windows, e.g. "Europe/London"
 *   sluice/accessWindows       "always", or windows joined by " / ":
 *                              "<days> HH.MM-HH.MM" with days "daily" or "mon+tue+..."
 *                              e.g. "mon+tue+wed+thu+fri 21.00-05.30"
 *   sluice/maintenanceWindows  "none", or windows joined by " / ": "<day> HH.MM-HH.MM",
 *                              e.g. "sun 01.00-04.00"
 *
 * Keys and values keep to the strictest character set AWS documents for the
 * services tagged here: Kinesis allows Unicode letters, digits, white space and
 * `_ . / = + - % @`, the others `_ . : / = + - @`; so neither `:` nor `%`
 * (hence `sluice/…` keys and `HH.MM` times), no JSON, at most 256 characters.
 * `parseContractTags` reads them back, and still reads the `sluice:…` keys and
 * `HH:MM` times of stacks deployed before, until their next deploy.
 */
import { WEEKDAYS, type AccessWindow, type MaintenanceWindow, type Weekday } from "../runtime/catalog/schema";
import type { Provider } from "../runtime/catalog/provider";
import { SluiceError } from "../runtime/errors";

export const TAG = {
  PROVIDER: "sluice/provider",
  MAX_CONCURRENCY: "sluice/maxConcurrency",
  MAX_FAN_OUT: "sluice/maxFanOut",
  CONCURRENT_BATCHES: "sluice/concurrentBatches",
  TIMEZONE: "sluice/timezone",
  ACCESS_WINDOWS: "sluice/accessWindows",
  MAINTENANCE_WINDOWS: "sluice/maintenanceWindows",
  /** On the stack's shared resources (the landing bucket). */
  STACK: "sluice/stack",
  /** On every function that reserves concurrency: the account limit the stack budgets against (sluice:accountConcurrencyLimit). */
  ACCOUNT_CONCURRENCY_LIMIT: "sluice/accountConcurrencyLimit",
} as const;

/** The key a stack deployed before the Kinesis-safe keys carries for `key` (`sluice/x` was `sluice:x`). */
export function legacyTagKey(key: string): string {
  return key.replace(/^sluice\//, "sluice:");
}

export const MAX_TAG_KEY_LENGTH = 128;
export const MAX_TAG_VALUE_LENGTH = 256;
/** The characters both Kinesis and the other tagged services accept, in keys and values. */
export const TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_./=+\-@]*$/u;

const ALWAYS = "always";
const NONE = "none";
const DAILY = "daily";
const SEPARATOR = " / ";

/** The tag on every resource of a pipeline. */
export function providerTags(provider: Pick<Provider, "id">): Record<string, string> {
  return { [TAG.PROVIDER]: provider.id };
}

/** "HH:MM" as tags write it: "HH.MM". */
function tagClock(clock: string): string {
  return clock.replace(":", ".");
}

function formatDays(days: readonly Weekday[]): string {
  const ordered = WEEKDAYS.filter((d) => days.includes(d));
  return ordered.length === WEEKDAYS.length ? DAILY : ordered.join("+");
}

export function formatAccessWindows(windows: readonly AccessWindow[]): string {
  if (windows.length === 0) return ALWAYS;
  return windows.map((w) => `${formatDays(w.days)} ${tagClock(w.start)}-${tagClock(w.end)}`).join(SEPARATOR);
}

export function formatMaintenanceWindows(windows: readonly MaintenanceWindow[]): string {
  if (windows.length === 0) return NONE;
  return windows.map((w) => `${w.day} ${tagClock(w.start)}-${tagClock(w.end)}`).join(SEPARATOR);
}

/** The stack's account limit, on the functions whose reservations it budgets (read by sluice-account-concurrency). */
export function accountLimitTags(limit: number): Record<string, string> {
  return { [TAG.ACCOUNT_CONCURRENCY_LIMIT]: String(limit) };
}

/** The provider's contract as tags, plus `sluice/provider`. */
export function contractTags(provider: Provider): Record<string, string> {
  return {
    ...providerTags(provider),
    [TAG.MAX_CONCURRENCY]: String(provider.maxConcurrency),
    [TAG.MAX_FAN_OUT]: String(provider.maxFanOut),
    [TAG.CONCURRENT_BATCHES]: String(provider.concurrentBatches),
    [TAG.TIMEZONE]: provider.timezone,
    [TAG.ACCESS_WINDOWS]: formatAccessWindows(provider.accessWindows),
    [TAG.MAINTENANCE_WINDOWS]: formatMaintenanceWindows(provider.maintenanceWindows),
  };
}

/** Tags some tagged service would refuse, one line per problem (empty when all are fine). */
export function tagProblems(tags: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(tags)) {
    if (key.length < 1 || key.length > MAX_TAG_KEY_LENGTH) problems.push(`tag key ${JSON.stringify(key)} must be 1 to ${MAX_TAG_KEY_LENGTH} characters long`);
    if (!TAG_CHARACTERS.test(key)) problems.push(`tag key ${JSON.stringify(key)} has characters Kinesis or other AWS tags do not accept`);
    if (value.length > MAX_TAG_VALUE_LENGTH) {
      problems.push(`tag ${key} is ${value.length} characters long, above AWS's ${MAX_TAG_VALUE_LENGTH}: too many windows to tag`);
    }
    if (!TAG_CHARACTERS.test(value)) problems.push(`tag ${key} value ${JSON.stringify(value)} has characters Kinesis or other AWS tags do not accept`);
  }
  return problems;
}

/** What a policy reads back from a resource's tags. */
export interface ProviderContract {
  provider: string;
  maxConcurrency: number;
  maxFanOut: number;
  concurrentBatches: number;
  timezone: string;
  accessWindows: AccessWindow[];
  maintenanceWindows: MaintenanceWindow[];
}

/** A contract tag that is missing or unreadable; names the tag and its value. */
export class ContractTagError extends SluiceError {
  constructor(
    readonly tag: string,
    readonly value: string | undefined,
    why: string,
  ) {
    super(`tag ${tag} ${value === undefined ? "is missing" : `value ${JSON.stringify(value)} ${why}`}`);
  }
}

/** HH.MM, or HH:MM as stacks deployed before wrote it. */
const CLOCK = "([01]\\d|2[0-3])[.:][0-5]\\d";
const ACCESS_ENTRY = new RegExp(`^(${DAILY}|(?:mon|tue|wed|thu|fri|sat|sun)(?:\\+(?:mon|tue|wed|thu|fri|sat|sun))*) (${CLOCK})-(${CLOCK})$`);
const MAINTENANCE_ENTRY = new RegExp(`^(mon|tue|wed|thu|fri|sat|sun) (${CLOCK})-(${CLOCK})$`);

/** A tag's HH.MM as the catalog writes it, HH:MM. */
function catalogClock(clock: string): string {
  return clock.replace(".", ":");
}

export function parseAccessWindows(value: string): AccessWindow[] {
  if (value === ALWAYS) return [];
  return value.split(SEPARATOR).map((entry) => {
    const m = ACCESS_ENTRY.exec(entry);
    if (!m) throw new ContractTagError(TAG.ACCESS_WINDOWS, value, `has an entry ${JSON.stringify(entry)} that is not "<days> HH.MM-HH.MM"`);
    const days = m[1] === DAILY ? [...WEEKDAYS] : (m[1]!.split("+") as Weekday[]);
    return { days, start: catalogClock(m[2]!), end: catalogClock(m[4]!) };
  });
}

export function parseMaintenanceWindows(value: string): MaintenanceWindow[] {
  if (value === NONE) return [];
  return value.split(SEPARATOR).map((entry) => {
    const m = MAINTENANCE_ENTRY.exec(entry);
    if (!m) throw new ContractTagError(TAG.MAINTENANCE_WINDOWS, value, `has an entry ${JSON.stringify(entry)} that is not "<day> HH.MM-HH.MM"`);
    return { day: m[1] as Weekday, start: catalogClock(m[2]!), end: catalogClock(m[4]!) };
  });
}

/** The tag's value under its key, or under the key stacks deployed before used. */
function tagValue(tags: Record<string, string | undefined>, key: string): string | undefined {
  return tags[key] ?? tags[legacyTagKey(key)];
}

function positiveInt(tags: Record<string, string | undefined>, key: string): number {
  const value = tagValue(tags, key);
  if (value === undefined) throw new ContractTagError(key, value, "");
  if (!/^[1-9]\d*$/.test(value)) throw new ContractTagError(key, value, "is not a positive integer");
  return Number(value);
}

/** Reads the contract back from a resource's tags; throws ContractTagError naming the tag at fault. */
export function parseContractTags(tags: Record<string, string | undefined>): ProviderContract {
  const need = (key: string): string => {
    const value = tagValue(tags, key);
    if (value === undefined) throw new ContractTagError(key, value, "");
    return value;
  };
  return {
    provider: need(TAG.PROVIDER),
    maxConcurrency: positiveInt(tags, TAG.MAX_CONCURRENCY),
    maxFanOut: positiveInt(tags, TAG.MAX_FAN_OUT),
    concurrentBatches: positiveInt(tags, TAG.CONCURRENT_BATCHES),
    timezone: need(TAG.TIMEZONE),
    accessWindows: parseAccessWindows(need(TAG.ACCESS_WINDOWS)),
    maintenanceWindows: parseMaintenanceWindows(need(TAG.MAINTENANCE_WINDOWS)),
  };
}
