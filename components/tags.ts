/**
 * Tags the ProviderPipeline puts on its resources. Every resource carries
 * `sluice:provider`; the event source mapping, the stream and the worker also
 * carry the provider's contract so a policy pack can check a deploy against it
 * without reading providers.json:
 *
 *   sluice:provider            provider id
 *   sluice:maxConcurrency      contractual cap on calls in flight, e.g. "8"
 *   sluice:maxFanOut           largest in-batch fan-out, e.g. "4"
 *   sluice:concurrentBatches   shards × parallelization factor, e.g. "2"
 *   sluice:timezone            IANA zone of the windows, e.g. "Europe/London"
 *   sluice:accessWindows       "always", or windows joined by " / ":
 *                              "<days> HH:MM-HH:MM" with days "daily" or "mon+tue+..."
 *                              e.g. "mon+tue+wed+thu+fri 21:00-05:30"
 *   sluice:maintenanceWindows  "none", or windows joined by " / ": "<day> HH:MM-HH:MM",
 *                              e.g. "sun 01:00-04:00"
 *
 * The windows are not JSON: Kinesis, DynamoDB and most services accept only
 * letters, digits, spaces and `_ . : / = + - @` in tag values (no braces, quotes
 * or commas), and at most 256 characters. `parseContractTags` reads them back.
 */
import { WEEKDAYS, type AccessWindow, type MaintenanceWindow, type Weekday } from "../runtime/catalog/schema";
import type { Provider } from "../runtime/catalog/provider";
import { SluiceError } from "../runtime/errors";

export const TAG = {
  PROVIDER: "sluice:provider",
  MAX_CONCURRENCY: "sluice:maxConcurrency",
  MAX_FAN_OUT: "sluice:maxFanOut",
  CONCURRENT_BATCHES: "sluice:concurrentBatches",
  TIMEZONE: "sluice:timezone",
  ACCESS_WINDOWS: "sluice:accessWindows",
  MAINTENANCE_WINDOWS: "sluice:maintenanceWindows",
} as const;

export const MAX_TAG_VALUE_LENGTH = 256;
/** Characters every tagged service here accepts in a value. */
const TAG_VALUE = /^[\p{L}\p{N}\s_.:/=+\-@]*$/u;

const ALWAYS = "always";
const NONE = "none";
const DAILY = "daily";
const SEPARATOR = " / ";

/** The tag on every resource of a pipeline. */
export function providerTags(provider: Pick<Provider, "id">): Record<string, string> {
  return { [TAG.PROVIDER]: provider.id };
}

function formatDays(days: readonly Weekday[]): string {
  const ordered = WEEKDAYS.filter((d) => days.includes(d));
  return ordered.length === WEEKDAYS.length ? DAILY : ordered.join("+");
}

export function formatAccessWindows(windows: readonly AccessWindow[]): string {
  if (windows.length === 0) return ALWAYS;
  return windows.map((w) => `${formatDays(w.days)} ${w.start}-${w.end}`).join(SEPARATOR);
}

export function formatMaintenanceWindows(windows: readonly MaintenanceWindow[]): string {
  if (windows.length === 0) return NONE;
  return windows.map((w) => `${w.day} ${w.start}-${w.end}`).join(SEPARATOR);
}

/** The provider's contract as tags, plus `sluice:provider`. */
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

/** Tag values AWS would refuse, one line per tag (empty when all are fine). */
export function tagProblems(tags: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(tags)) {
    if (value.length > MAX_TAG_VALUE_LENGTH) {
      problems.push(`tag ${key} is ${value.length} characters long, above AWS's ${MAX_TAG_VALUE_LENGTH}: too many windows to tag`);
    }
    if (!TAG_VALUE.test(value)) problems.push(`tag ${key} value ${JSON.stringify(value)} has characters AWS tags do not accept`);
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

const CLOCK = "([01]\\d|2[0-3]):[0-5]\\d";
const ACCESS_ENTRY = new RegExp(`^(${DAILY}|(?:mon|tue|wed|thu|fri|sat|sun)(?:\\+(?:mon|tue|wed|thu|fri|sat|sun))*) (${CLOCK})-(${CLOCK})$`);
const MAINTENANCE_ENTRY = new RegExp(`^(mon|tue|wed|thu|fri|sat|sun) (${CLOCK})-(${CLOCK})$`);

export function parseAccessWindows(value: string): AccessWindow[] {
  if (value === ALWAYS) return [];
  return value.split(SEPARATOR).map((entry) => {
    const m = ACCESS_ENTRY.exec(entry);
    if (!m) throw new ContractTagError(TAG.ACCESS_WINDOWS, value, `has an entry ${JSON.stringify(entry)} that is not "<days> HH:MM-HH:MM"`);
    const days = m[1] === DAILY ? [...WEEKDAYS] : (m[1]!.split("+") as Weekday[]);
    return { days, start: m[2]!, end: m[4]! };
  });
}

export function parseMaintenanceWindows(value: string): MaintenanceWindow[] {
  if (value === NONE) return [];
  return value.split(SEPARATOR).map((entry) => {
    const m = MAINTENANCE_ENTRY.exec(entry);
    if (!m) throw new ContractTagError(TAG.MAINTENANCE_WINDOWS, value, `has an entry ${JSON.stringify(entry)} that is not "<day> HH:MM-HH:MM"`);
    return { day: m[1] as Weekday, start: m[2]!, end: m[4]! };
  });
}

function positiveInt(tags: Record<string, string | undefined>, key: string): number {
  const value = tags[key];
  if (value === undefined) throw new ContractTagError(key, value, "");
  if (!/^[1-9]\d*$/.test(value)) throw new ContractTagError(key, value, "is not a positive integer");
  return Number(value);
}

/** Reads the contract back from a resource's tags; throws ContractTagError naming the tag at fault. */
export function parseContractTags(tags: Record<string, string | undefined>): ProviderContract {
  const need = (key: string): string => {
    const value = tags[key];
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
