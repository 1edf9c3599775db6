/**
 * MappingControl on the Lambda control plane (Get/List/UpdateEventSourceMapping).
 *
 * Every Lambda control-plane call of the account shares 15 requests/s per
 * Region; the original demo spent a List and an Update on every change. Here:
 *  - the mapping's UUID comes from configuration, or from one
 *    ListEventSourceMappings per container, and is cached;
 *  - the last view is cached, and an update that would change nothing is
 *    skipped without a call (while the view is younger than `viewMaxAgeMs`);
 *  - batch-size updates are rate-limited to one per `minUpdateIntervalMs` per
 *    container; an update that toggles `enabled` (breaker open, probe, pause)
 *    is never held back;
 *  - ResourceInUseException and ResourceConflictException (a previous update
 *    still in progress) and TooManyRequestsException are retried with
 *    full-jitter backoff, delay = random() × min(capMs, baseMs × 2^attempt), as
 *    long as the delay fits in the remaining time budget;
 *  - reads (Get, List) are retried the same way, and on a 5xx or a network
 *    error too (a read changes nothing): a throttled read must not turn a
 *    batch whose calls are done into a function error.
 *
 * Build the client with `maxAttempts: 1` so only this retry policy runs and the
 * counters below count real requests.
 */
import {
  GetEventSourceMappingCommand,
  ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand,
  type EventSourceMappingConfiguration,
  type LambdaClient,
} from "@aws-sdk/client-lambda";
import { SluiceError } from "../errors";
import { enabledOf } from "../ventilator/mapping-actions";
import { MAPPING_STATES, type Clock, type MappingChange, type MappingControl, type MappingState, type MappingView } from "../ventilator/ports";
import { fullJitterDelay } from "./backoff";
import { describeError as describe, errorName, httpStatusOf } from "./sdk-errors";

export interface EventSourceMappingControlOptions {
  client: LambdaClient;
  /** The mapping's UUID when known; saves the List call of each cold start. */
  uuid?: string;
  /** The consumer function (the ventilator): with the stream ARN it identifies the mapping. */
  functionName: string;
  eventSourceArn: string;
  clock: Clock;
  sleep: (ms: number) => Promise<void>;
  /** @default Math.random */
  random?: () => number;
  /** Smallest gap between two update calls that do not toggle `enabled`. @default 5000 */
  minUpdateIntervalMs?: number;
  /** Retries of ResourceInUse / ResourceConflict / TooManyRequests (and of failed reads) after the first attempt. @default 4 */
  maxRetries?: number;
  /** First backoff ceiling. @default 250 */
  backoffBaseMs?: number;
  /** Largest backoff ceiling. @default 4000 */
  backoffCapMs?: number;
  /** Remaining time budget in ms (e.g. the Lambda context's); no retry waits past it. @default unlimited */
  deadlineMs?: () => number;
  /**
   * Age after which the cached view is no longer trusted to skip an update:
   * other containers change the mapping too. @default 60000
   */
  viewMaxAgeMs?: number;
}

/** The mapping could not be found or read. */
export class MappingError extends SluiceError {
  constructor(
    message: string,
    readonly functionName: string,
    readonly eventSourceArn: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const CONFLICT = "ResourceConflictException";
const RETRYABLE = new Set(["ResourceInUseException", CONFLICT, "TooManyRequestsException"]);

/** A read is retried on what an update is, and on what only says the service or the network had a bad moment. */
function readRetryable(err: unknown): boolean {
  const name = errorName(err);
  if (name && RETRYABLE.has(name)) return true;
  const status = httpStatusOf(err);
  return status === undefined || status >= 500;
}

function isMappingState(value: unknown): value is MappingState {
  return (MAPPING_STATES as readonly unknown[]).includes(value);
}

interface Cached {
  view: MappingView;
  /** Known enabled flag: from the state, or carried over while the state (Updating, ...) does not tell. */
  enabled: boolean | undefined;
  at: number;
}

export type MappingUpdateResult = Awaited<ReturnType<MappingControl["update"]>>;

export class EventSourceMappingControl implements MappingControl {
  private readonly client: LambdaClient;
  private readonly functionName: string;
  private readonly eventSourceArn: string;
  private readonly clock: Clock;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly minUpdateIntervalMs: number;
  private readonly maxRetries: number;
  private readonly backoff: { baseMs: number; capMs: number };
  private readonly deadlineMs: () => number;
  private readonly viewMaxAgeMs: number;

  private uuid: string | undefined;
  private cached: Cached | undefined;
  private lastUpdateAt: number | undefined;
  private counts = { get: 0, list: 0, update: 0 };

  constructor(opts: EventSourceMappingControlOptions) {
    if (!opts.functionName) throw new RangeError("EventSourceMappingControl: functionName must not be empty");
    if (!opts.eventSourceArn) throw new RangeError("EventSourceMappingControl: eventSourceArn must not be empty");
    const nonNegative = (name: string, v: number | undefined, dflt: number): number => {
      const value = v ?? dflt;
      if (!Number.isFinite(value) || value < 0) throw new RangeError(`EventSourceMappingControl: ${name} ${value} must be a finite number >= 0`);
      return value;
    };
    this.client = opts.client;
    this.uuid = opts.uuid || undefined;
    this.functionName = opts.functionName;
    this.eventSourceArn = opts.eventSourceArn;
    this.clock = opts.clock;
    this.sleep = opts.sleep;
    this.random = opts.random ?? Math.random;
    this.minUpdateIntervalMs = nonNegative("minUpdateIntervalMs", opts.minUpdateIntervalMs, 5_000);
    this.maxRetries = Math.floor(nonNegative("maxRetries", opts.maxRetries, 4));
    this.backoff = { baseMs: nonNegative("backoffBaseMs", opts.backoffBaseMs, 250), capMs: nonNegative("backoffCapMs", opts.backoffCapMs, 4_000) };
    this.deadlineMs = opts.deadlineMs ?? (() => Number.POSITIVE_INFINITY);
    this.viewMaxAgeMs = nonNegative("viewMaxAgeMs", opts.viewMaxAgeMs, 60_000);
  }

  /** GetEventSourceMapping + ListEventSourceMappings requests made by this container. */
  get getCalls(): number {
    return this.counts.get + this.counts.list;
  }

  /** ListEventSourceMappings requests alone (at most one per container when they succeed). */
  get listCalls(): number {
    return this.counts.list;
  }

  /** UpdateEventSourceMapping requests, retries included. */
  get updateCalls(): number {
    return this.counts.update;
  }

  /** The last view this container saw, without a call. */
  get lastView(): MappingView | undefined {
    return this.cached?.view;
  }

  /** Reads the mapping (one call: Get by UUID, or the first time without a UUID, List). */
  async get(): Promise<MappingView> {
    if (this.uuid === undefined) return this.discover();
    const uuid = this.uuid;
    try {
      const out = await this.read(() => {
        this.counts.get++;
        return this.client.send(new GetEventSourceMappingCommand({ UUID: uuid }));
      });
      return this.remember(out);
    } catch (err) {
      throw new MappingError(`GetEventSourceMapping ${uuid} failed: ${describe(err)}`, this.functionName, this.eventSourceArn, { cause: err });
    }
  }

  /**
   * Applies `change` unless the cached view already shows it. Every failure of
   * the update itself resolves to `applied: false` with a reason; only a
   * mapping that cannot be read at all (no view yet) rejects, with a MappingError.
   */
  async update(change: MappingChange): Promise<MappingUpdateResult> {
    if (change.batchSize !== undefined && (!Number.isInteger(change.batchSize) || change.batchSize < 1)) {
      throw new RangeError(`EventSourceMappingControl.update: batchSize ${change.batchSize} must be an integer >= 1`);
    }
    if (this.cached === undefined) await this.get();
    const current = this.cached!;
    const fresh = this.clock.now() - current.at <= this.viewMaxAgeMs;
    const delta = this.delta(change, current, fresh);
    if (delta.BatchSize === undefined && delta.Enabled === undefined) return { applied: true, view: current.view };

    const togglesEnabled = delta.Enabled !== undefined;
    const now = this.clock.now();
    if (!togglesEnabled && this.lastUpdateAt !== undefined && now - this.lastUpdateAt < this.minUpdateIntervalMs) {
      return { applied: false, view: current.view, reason: "rate-limited" };
    }
    return this.send(change, delta, current.view);
  }

  /** The fields to send: only those the cached view does not already show (all asked ones when it is stale). */
  private delta(change: MappingChange, current: Cached, fresh: boolean): { BatchSize?: number; Enabled?: boolean } {
    const out: { BatchSize?: number; Enabled?: boolean } = {};
    if (change.batchSize !== undefined && (!fresh || change.batchSize !== current.view.batchSize)) out.BatchSize = change.batchSize;
    if (change.enabled !== undefined && (!fresh || change.enabled !== current.enabled)) out.Enabled = change.enabled;
    return out;
  }

  private async send(change: MappingChange, first: { BatchSize?: number; Enabled?: boolean }, before: MappingView): Promise<MappingUpdateResult> {
    const uuid = before.uuid;
    let delta = first;
    let waiting = false;
    let reason = "";
    for (let attempt = 0; ; attempt++) {
      if (waiting) {
        // Someone else's change was in progress (a parallel batch, the schedule, an operator). Wait until
        // it has landed (Get shows the old settings meanwhile), then send only what the mapping does not
        // show yet: often nothing, where sending it again would only start another update.
        const reread = await this.get().catch(() => undefined);
        if (reread !== undefined && (reread.state === "Enabled" || reread.state === "Disabled")) {
          waiting = false;
          delta = this.delta(change, this.cached!, true);
          if (delta.BatchSize === undefined && delta.Enabled === undefined) return { applied: true, view: reread };
        }
      }
      if (!waiting) {
        this.lastUpdateAt = this.clock.now();
        this.counts.update++;
        try {
          const out = await this.client.send(new UpdateEventSourceMappingCommand({ UUID: uuid, ...delta }));
          return { applied: true, view: this.remember(out, delta.Enabled) };
        } catch (err) {
          const name = errorName(err);
          reason = describe(err);
          if (!name || !RETRYABLE.has(name)) return { applied: false, view: before, reason };
          waiting = name === CONFLICT;
        }
      }
      if (attempt >= this.maxRetries) return { applied: false, view: before, reason: `${reason} (after ${attempt + 1} attempts)` };
      const delay = fullJitterDelay(attempt, this.random, this.backoff);
      if (delay >= this.deadlineMs()) return { applied: false, view: before, reason: `${reason} (no time left to retry)` };
      await this.sleep(delay);
    }
  }

  /** A read with the update's retry policy, widened to 5xx and network errors; the last error when it gives up. */
  private async read<T>(call: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await call();
      } catch (err) {
        if (!readRetryable(err) || attempt >= this.maxRetries) throw err;
        const delay = fullJitterDelay(attempt, this.random, this.backoff);
        if (delay >= this.deadlineMs()) throw err;
        await this.sleep(delay);
      }
    }
  }

  /** One ListEventSourceMappings per container; the UUID is kept for later Get/Update calls. */
  private async discover(): Promise<MappingView> {
    const found: EventSourceMappingConfiguration[] = [];
    let marker: string | undefined;
    try {
      do {
        const page = marker;
        const out = await this.read(() => {
          this.counts.list++;
          return this.client.send(new ListEventSourceMappingsCommand({ FunctionName: this.functionName, EventSourceArn: this.eventSourceArn, Marker: page }));
        });
        found.push(...(out.EventSourceMappings ?? []));
        marker = out.NextMarker || undefined;
      } while (marker);
    } catch (err) {
      throw new MappingError(
        `ListEventSourceMappings for function "${this.functionName}" and ${this.eventSourceArn} failed: ${describe(err)}`,
        this.functionName,
        this.eventSourceArn,
        { cause: err },
      );
    }
    if (found.length !== 1) {
      throw new MappingError(
        `expected one event source mapping from ${this.eventSourceArn} to function "${this.functionName}", found ${found.length}`,
        this.functionName,
        this.eventSourceArn,
      );
    }
    return this.remember(found[0]!);
  }

  private remember(config: EventSourceMappingConfiguration, askedEnabled?: boolean): MappingView {
    const { UUID, BatchSize, State } = config;
    if (!UUID || BatchSize === undefined || !isMappingState(State)) {
      throw new MappingError(
        `event source mapping answer lacks UUID, BatchSize or a known State (got ${JSON.stringify({ UUID, BatchSize, State })})`,
        this.functionName,
        this.eventSourceArn,
      );
    }
    const view: MappingView = { uuid: UUID, batchSize: BatchSize, state: State };
    this.uuid = UUID;
    this.cached = { view, enabled: enabledOf(State) ?? askedEnabled ?? this.cached?.enabled, at: this.clock.now() };
    return view;
  }
}

