/**
 * Turns untrusted catalog JSON into `Catalog`, or a CatalogError with one line
 * per problem in the form `providers.json: provider "acme" (#2): <field> <problem>`.
 */
import type { z } from "zod";
import { CatalogError } from "../errors";
import { closedLongerThan } from "../windows/closed";
import { accessIntervals, intervalsOverlap, longestClosedMinutes, longestOpenMinutes, maintenanceInterval, openMask } from "../windows/weekly";
import { formatIssue, label, unionIssues } from "./issues";
import { catalogSchema, providerSchema } from "./schema";
import type { Catalog, DeprecatedField, Provider } from "./provider";
import {
  callBoundMs,
  CALL_SLACK_SECONDS,
  FINISH_MARGIN_MS,
  INVOKE_MARGIN_MS,
  LAMBDA_MAX_TIMEOUT_SECONDS,
  MAX_WORKER_TIMEOUT_SECONDS,
  VENTILATOR_OVERHEAD_SECONDS,
  WORKER_INIT_MAX_SECONDS,
  workerLambdaTimeoutSeconds,
} from "./timing";

export { fieldPath, valueAt } from "./issues";

type Parsed = z.output<typeof providerSchema>;

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * Old names of fields, from before "batch size" was split into the fan-out
 * limit (calls a batch may have in flight) and the mapping batch size (records
 * per invocation). Still read; `validate` prints one deprecation line each.
 */
export const DEPRECATED_FIELDS: Readonly<Record<DeprecatedField, "maxFanOut" | "initialFanOut">> = {
  maxBatchSize: "maxFanOut",
  initialBatchSize: "initialFanOut",
};

function deprecations(p: Parsed): { problems: string[]; warnings: string[] } {
  const problems: string[] = [];
  const warnings: string[] = [];
  for (const [old, current] of Object.entries(DEPRECATED_FIELDS) as [DeprecatedField, "maxFanOut" | "initialFanOut"][]) {
    if (p[old] === undefined) continue;
    if (p[current] !== undefined) problems.push(`${old} is the old name of ${current}: keep only ${current}`);
    else warnings.push(`${old} is deprecated: rename it to ${current} (the fan-out limit, calls one batch may have in flight)`);
  }
  if (p.controller.strategy === "step" && p.controller.rearmIntervalMinutes !== undefined) {
    warnings.push("controller.rearmIntervalMinutes is ignored: step re-enables at the next re-arm tick, set by the stack's sluice:rearmIntervalMinutes");
  }
  return { problems, warnings };
}

/** Cross-field rules a schema cannot express. Returns problems without the provider prefix. */
function crossCheck(p: Parsed, resolved: Provider): string[] {
  const problems: string[] = [...deprecations(p).problems];
  if (!isValidTimeZone(p.timezone)) problems.push(`timezone "${p.timezone}" is not a known IANA time zone`);

  if (resolved.maxFanOut > p.maxConcurrency) {
    problems.push(`maxFanOut ${resolved.maxFanOut} exceeds maxConcurrency ${p.maxConcurrency}`);
  } else if (resolved.concurrentBatches * resolved.maxFanOut > p.maxConcurrency) {
    problems.push(
      `shardCount ${p.shardCount} × parallelizationFactor ${p.parallelizationFactor} × maxFanOut ${resolved.maxFanOut} = ` +
        `${resolved.concurrentBatches * resolved.maxFanOut} exceeds maxConcurrency ${p.maxConcurrency}`,
    );
  }
  if (resolved.concurrentBatches > p.maxConcurrency) {
    problems.push(
      `shardCount ${p.shardCount} × parallelizationFactor ${p.parallelizationFactor} = ${resolved.concurrentBatches} exceeds maxConcurrency ${p.maxConcurrency}: even batches of 1 would break the cap`,
    );
  }
  if (resolved.initialFanOut > resolved.maxFanOut) {
    problems.push(`initialFanOut ${resolved.initialFanOut} exceeds maxFanOut ${resolved.maxFanOut}`);
  }
  if (p.latencyThresholdMs >= p.worker.timeoutSeconds * 1000) {
    problems.push(
      `latencyThresholdMs ${p.latencyThresholdMs} must be below worker.timeoutSeconds ${p.worker.timeoutSeconds} (× 1000): a timeout would never count as slow`,
    );
  }
  problems.push(...timingProblems(p, resolved));
  if (p.controller.strategy !== "step" && p.controller.breaker.maxIntervalMinutes < p.controller.breaker.baseIntervalMinutes) {
    problems.push(
      `controller.breaker.maxIntervalMinutes ${p.controller.breaker.maxIntervalMinutes} is below baseIntervalMinutes ${p.controller.breaker.baseIntervalMinutes}`,
    );
  }

  p.accessWindows.forEach((w, i) => {
    if (w.start === w.end) problems.push(`accessWindows[${i}] starts and ends at ${w.start}: an empty window`);
    if (new Set(w.days).size !== w.days.length) problems.push(`accessWindows[${i}].days lists a day twice`);
  });
  p.maintenanceWindows.forEach((w, i) => {
    if (w.start === w.end) problems.push(`maintenanceWindows[${i}] starts and ends at ${w.start}: an empty window`);
  });
  problems.push(...overlaps("accessWindows", p.accessWindows.map((w) => accessIntervals(w))));
  problems.push(...overlaps("maintenanceWindows", p.maintenanceWindows.map((w) => [maintenanceInterval(w)])));

  if (problems.length === 0 && !openMask(p.accessWindows, p.maintenanceWindows).includes(1)) {
    problems.push("maintenanceWindows cover every accessWindow: the provider could never be called");
  }
  // Real instants over the coming year, as the stream retention policy measures at deploy: the night the
  // clocks go back lasts the zone's shift longer than the wall clock says. A provider that never opens is reported above.
  const closed = p.streamRetentionHours !== undefined && isValidTimeZone(p.timezone) ? closedLongerThan(p, p.streamRetentionHours * 60, Date.now()) : null;
  if (p.streamRetentionHours !== undefined && closed !== null && Number.isFinite(closed.minutes)) {
    problems.push(
      `streamRetentionHours ${p.streamRetentionHours} is shorter than the longest closed period (${(closed.minutes / 60).toFixed(1)} h in real time): queued records would expire before the provider opens`,
    );
  }
  return problems;
}

/**
 * Timings under which a guarantee could not hold: a ventilator that can never
 * start a call, a claim whose lease ends while its call may still run (a
 * second invocation would fetch the record again), windows too short for any call.
 */
function timingProblems(p: Parsed, resolved: Provider): string[] {
  const problems: string[] = [];
  const timeout = p.worker.timeoutSeconds;
  if (timeout > MAX_WORKER_TIMEOUT_SECONDS) {
    problems.push(
      `worker.timeoutSeconds ${timeout} leaves the ventilator no time to start a call: a call needs ${timeout} s + ${(INVOKE_MARGIN_MS + FINISH_MARGIN_MS) / 1000} s of margins ` +
        `and the ventilator ${VENTILATOR_OVERHEAD_SECONDS} s of its own within Lambda's ${LAMBDA_MAX_TIMEOUT_SECONDS} s; at most ${MAX_WORKER_TIMEOUT_SECONDS}`,
    );
  }
  const boundSeconds = callBoundMs(resolved) / 1000;
  if (p.ledger.leaseSeconds !== undefined && p.ledger.leaseSeconds < boundSeconds) {
    const margin = workerLambdaTimeoutSeconds(resolved) - timeout;
    problems.push(
      `ledger.leaseSeconds ${p.ledger.leaseSeconds} is shorter than a worker call can run (worker.timeoutSeconds ${timeout} + ${margin} s Lambda margin ` +
        `+ ${WORKER_INIT_MAX_SECONDS} s cold start + ${CALL_SLACK_SECONDS} s slack = ${boundSeconds} s): a second invocation could claim the record while the first call is still running`,
    );
  }
  if (p.accessWindows.length > 0 || p.maintenanceWindows.length > 0) {
    const open = longestOpenMinutes(p.accessWindows, p.maintenanceWindows);
    if (open > 0 && open * 60 < boundSeconds) {
      problems.push(`accessWindows: the longest open stretch (${open} min) is shorter than one worker call can run (${boundSeconds} s): no call could ever start`);
    }
  }
  return problems;
}

function overlaps(field: string, perWindow: { start: number; end: number }[][]): string[] {
  const found: string[] = [];
  for (let i = 0; i < perWindow.length; i++) {
    for (let j = i + 1; j < perWindow.length; j++) {
      const hit = perWindow[i]!.some((a) => perWindow[j]!.some((b) => intervalsOverlap(a, b)));
      if (hit) found.push(`${field}[${i}] overlaps ${field}[${j}]`);
    }
  }
  return found;
}

/** Fills every default and derived size in one place. */
export function resolveProvider(parsed: Parsed): Provider {
  const { maxBatchSize, initialBatchSize, ...p } = parsed;
  const concurrentBatches = p.shardCount * p.parallelizationFactor;
  const maxFanOut = p.maxFanOut ?? maxBatchSize ?? Math.max(1, Math.floor(p.maxConcurrency / concurrentBatches));
  const closed = longestClosedMinutes(p.accessWindows, p.maintenanceWindows);
  return {
    ...p,
    maxFanOut,
    initialFanOut: p.initialFanOut ?? initialBatchSize ?? maxFanOut,
    concurrentBatches,
    longestClosedMinutes: closed,
    streamRetentionHours: p.streamRetentionHours ?? Math.min(8_760, Math.max(24, Math.ceil(closed / 60) + 24)),
    ledger: { ttlDays: p.ledger.ttlDays, leaseSeconds: p.ledger.leaseSeconds ?? p.worker.timeoutSeconds + 60, retryBackoffSeconds: p.ledger.retryBackoffSeconds },
  };
}

/** Validates parsed JSON. `source` prefixes every message (usually the file name). */
export function validateCatalog(raw: unknown, source = "providers.json"): Catalog {
  const parsed = catalogSchema.safeParse(raw);
  if (!parsed.success) {
    throw new CatalogError(parsed.error.issues.flatMap(unionIssues).map((issue) => formatIssue(source, raw, issue)));
  }
  const problems: string[] = [];
  const warnings: string[] = [];
  const seen = new Map<string, number>();
  const providers = parsed.data.providers.map((p, index) => {
    const prefix = `${source}: ${label(p, index)}: `;
    const first = seen.get(p.id);
    if (first !== undefined) problems.push(`${prefix}id "${p.id}" is already used by provider #${first + 1}`);
    else seen.set(p.id, index);
    const resolved = resolveProvider(p);
    problems.push(...crossCheck(p, resolved).map((m) => prefix + m));
    warnings.push(...deprecations(p).warnings.map((m) => prefix + m));
    return resolved;
  });
  if (problems.length > 0) throw new CatalogError(problems);
  return { providers, warnings };
}

/** Validates one provider entry, as handed to a Lambda in its environment. */
export function validateProvider(raw: unknown, source = "SLUICE_PROVIDER"): Provider {
  const catalog = validateCatalog({ providers: [raw] }, source);
  return catalog.providers[0]!;
}
