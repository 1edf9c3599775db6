/**
 * The one mapping control policy, over a MappingTransport (./transport). The
 * ventilator's SDK adapter and the simulator's containers both are this class.
 *
 *  - the last view is cached per container; an update the view already shows
 *    is skipped without a request while the view is younger than viewMaxAgeMs
 *    (other containers change the mapping too);
 *  - an update sends only the fields the view does not show;
 *  - batch-size updates are spaced minUpdateIntervalMs apart per container; an
 *    update that toggles `enabled` (breaker open, probe, pause) is never held back;
 *  - in-use, conflict and throttled updates are retried with full-jitter backoff,
 *    delay = random() × min(backoffCapMs, backoffBaseMs × 2^attempt), while the
 *    delay fits the remaining time budget; after a conflict the mapping is
 *    re-read until it has settled and only what it still lacks is sent; an
 *    answer that cannot be read rejects (the update may have been applied);
 *  - reads are retried the same way, on transient failures too (a read changes
 *    nothing): a throttled read must not turn a finished batch into a function error.
 */
import { fullJitterDelay } from "../backoff";
import { enabledOf } from "../ventilator/mapping-actions";
import type { Clock, MappingChange, MappingControl, MappingView } from "../ventilator/ports";
import { mappingControlSettings, type MappingControlSettings } from "./settings";
import { MappingError, readRetryable, updateRetryable, type MappingDelta, type MappingTransport } from "./transport";

export interface MappingControlOptions extends Partial<MappingControlSettings> {
  clock: Clock;
  sleep: (ms: number) => Promise<void>;
  /** @default Math.random */
  random?: () => number;
  /** Remaining time budget in ms (e.g. the Lambda context's); no retry waits past it. @default unlimited */
  deadlineMs?: () => number;
}

export type MappingUpdateResult = Awaited<ReturnType<MappingControl["update"]>>;

interface Cached {
  view: MappingView;
  /** Known enabled flag: from the state, or carried over while the state (Updating, ...) does not tell. */
  enabled: boolean | undefined;
  at: number;
}

const isEmpty = (delta: MappingDelta): boolean => delta.BatchSize === undefined && delta.Enabled === undefined;

export class MappingControlPolicy implements MappingControl {
  private readonly settings: MappingControlSettings;
  private readonly clock: Clock;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  /** Read at every retry: a warm container serves many invocations, each with its own budget. */
  deadlineMs: () => number;
  private cached: Cached | undefined;
  private lastUpdateAt: number | undefined;
  private updates = 0;

  constructor(
    private readonly transport: MappingTransport,
    opts: MappingControlOptions,
  ) {
    this.settings = mappingControlSettings(opts, new.target.name);
    this.clock = opts.clock;
    this.sleep = opts.sleep;
    this.random = opts.random ?? Math.random;
    this.deadlineMs = opts.deadlineMs ?? (() => Number.POSITIVE_INFINITY);
  }

  /** UpdateEventSourceMapping requests this container sent, retries included. */
  get updateCalls(): number {
    return this.updates;
  }

  /** The last view this container saw, without a call. */
  get lastView(): MappingView | undefined {
    return this.cached?.view;
  }

  /** Reads the mapping, retrying what a read may be retried on; the last MappingError when it gives up. */
  async get(): Promise<MappingView> {
    for (let attempt = 0; ; attempt++) {
      try {
        return this.remember(await this.transport.get());
      } catch (err) {
        const failure = err instanceof MappingError ? err.failure : undefined;
        if (!readRetryable(failure) || attempt >= this.settings.maxRetries) throw err;
        const delay = this.backoff(attempt);
        if (delay >= this.deadlineMs()) throw err;
        await this.sleep(delay);
      }
    }
  }

  /**
   * Applies `change` unless the cached view already shows it. Every failure of
   * the update itself resolves to `applied: false` with a reason; only a
   * mapping that cannot be read at all (no view yet) rejects, with a MappingError.
   */
  async update(change: MappingChange): Promise<MappingUpdateResult> {
    if (change.batchSize !== undefined && (!Number.isInteger(change.batchSize) || change.batchSize < 1)) {
      throw new RangeError(`${this.constructor.name}.update: batchSize ${change.batchSize} must be an integer >= 1`);
    }
    if (this.cached === undefined) await this.get();
    const current = this.cached!;
    const fresh = this.clock.now() - current.at <= this.settings.viewMaxAgeMs;
    const delta = this.delta(change, current, fresh);
    if (isEmpty(delta)) return { applied: true, view: current.view };

    const togglesEnabled = delta.Enabled !== undefined;
    if (!togglesEnabled && this.lastUpdateAt !== undefined && this.clock.now() - this.lastUpdateAt < this.settings.minUpdateIntervalMs) {
      return { applied: false, view: current.view, reason: "rate-limited" };
    }
    return this.send(change, delta, current.view);
  }

  /** The fields to send: only those the cached view does not already show (all asked ones when it is stale). */
  private delta(change: MappingChange, current: Cached, fresh: boolean): MappingDelta {
    const out: MappingDelta = {};
    if (change.batchSize !== undefined && (!fresh || change.batchSize !== current.view.batchSize)) out.BatchSize = change.batchSize;
    if (change.enabled !== undefined && (!fresh || change.enabled !== current.enabled)) out.Enabled = change.enabled;
    return out;
  }

  private async send(change: MappingChange, first: MappingDelta, before: MappingView): Promise<MappingUpdateResult> {
    let delta = first;
    let waiting = false;
    let reason = "";
    for (let attempt = 0; ; attempt++) {
      if (waiting) {
        // Someone else's change was in progress (a parallel batch, the schedule, an operator). Wait until
        // it has landed (a read shows the old settings meanwhile), then send only what the mapping does not
        // show yet: often nothing, where sending it again would only start another update.
        const reread = await this.get().catch(() => undefined);
        if (reread !== undefined && (reread.state === "Enabled" || reread.state === "Disabled")) {
          waiting = false;
          delta = this.delta(change, this.cached!, true);
          if (isEmpty(delta)) return { applied: true, view: reread };
        }
      }
      if (!waiting) {
        this.lastUpdateAt = this.clock.now();
        this.updates++;
        try {
          return { applied: true, view: this.remember(await this.transport.update(before.uuid, delta), delta.Enabled) };
        } catch (err) {
          // An answer that cannot be read is no refusal: the update may have been applied.
          if (err instanceof MappingError && err.failure === undefined) throw err;
          const failure = err instanceof MappingError ? err.failure : undefined;
          reason = err instanceof Error ? err.message : String(err);
          if (!updateRetryable(failure)) return { applied: false, view: before, reason };
          waiting = failure === "conflict";
        }
      }
      if (attempt >= this.settings.maxRetries) return { applied: false, view: before, reason: `${reason} (after ${attempt + 1} attempts)` };
      const delay = this.backoff(attempt);
      if (delay >= this.deadlineMs()) return { applied: false, view: before, reason: `${reason} (no time left to retry)` };
      await this.sleep(delay);
    }
  }

  private backoff(attempt: number): number {
    return fullJitterDelay(attempt, this.random, { baseMs: this.settings.backoffBaseMs, capMs: this.settings.backoffCapMs });
  }

  private remember(view: MappingView, askedEnabled?: boolean): MappingView {
    this.cached = { view, enabled: enabledOf(view.state) ?? askedEnabled ?? this.cached?.enabled, at: this.clock.now() };
    return view;
  }
}
