/**
 * The event source mapping's control plane, and the MappingControl port the
 * ventilator calls, in virtual time.
 *
 * Control plane (Lambda's UpdateEventSourceMapping): an update is accepted at
 * once (202, state Updating / Enabling / Disabling) and becomes effective
 * `delay()` later, when the state settles to Enabled or Disabled; the poller
 * reads only effective settings. An update while one is still in progress is
 * refused with ResourceInUseException. Every request is counted.
 *
 * Port: the policy of runtime/aws/mapping-control (EventSourceMappingControl),
 * which cannot run here because it imports the AWS SDK: a per-container cached
 * view; an update that the cached view (younger than viewMaxAgeMs) already
 * shows is skipped without a request; a batch-size-only update within
 * minUpdateIntervalMs of this container's last request is not sent
 * ("rate-limited"); ResourceInUse is retried with full-jitter backoff
 * (fullJitterDelay, the adapter's own function) while the delay fits the
 * invocation's remaining time. Defaults are the adapter's.
 */
import { fullJitterDelay } from "../runtime/aws/backoff";
import { enabledOf } from "../runtime/ventilator/mapping-actions";
import type { MappingChange, MappingControl, MappingState, MappingView } from "../runtime/ventilator/ports";
import type { EventLoop } from "./event-loop";
import type { Random } from "./rng";

export interface MappingSettingsNow {
  batchSize: number;
  enabled: boolean;
}

export interface EffectiveChange extends MappingSettingsNow {
  at: number;
}

type Delta = { BatchSize?: number; Enabled?: boolean };

export const RESOURCE_IN_USE = "ResourceInUseException";

export class SimControlPlane {
  readonly uuid = "sim-0000-mapping";
  private desired: MappingSettingsNow;
  private current: MappingSettingsNow;
  private state: MappingState;
  private busyUntil = -Infinity;
  /** UpdateEventSourceMapping requests: accepted ones and refused ones (ResourceInUse). */
  readonly requests = { accepted: 0, refused: 0, reads: 0 };
  /** Every change of the effective settings, in time order (the first is the initial one). */
  readonly history: EffectiveChange[];

  constructor(
    private readonly loop: EventLoop,
    initial: MappingSettingsNow,
    private readonly delayMs: () => number,
  ) {
    this.desired = { ...initial };
    this.current = { ...initial };
    this.state = initial.enabled ? "Enabled" : "Disabled";
    this.history = [{ at: loop.now, ...initial }];
  }

  /** What the poller uses. */
  get effective(): MappingSettingsNow {
    return this.current;
  }

  view(): MappingView {
    this.requests.reads++;
    return { uuid: this.uuid, batchSize: this.desired.batchSize, state: this.state };
  }

  update(delta: Delta): { ok: true; view: MappingView } | { ok: false; error: string } {
    if (this.loop.now < this.busyUntil) {
      this.requests.refused++;
      return { ok: false, error: RESOURCE_IN_USE };
    }
    this.requests.accepted++;
    const enabledBefore = this.desired.enabled;
    this.desired = { batchSize: delta.BatchSize ?? this.desired.batchSize, enabled: delta.Enabled ?? this.desired.enabled };
    this.state = this.desired.enabled === enabledBefore ? "Updating" : this.desired.enabled ? "Enabling" : "Disabling";
    this.busyUntil = this.loop.now + this.delayMs();
    const target = { ...this.desired };
    this.loop.at(this.busyUntil, () => {
      this.state = target.enabled ? "Enabled" : "Disabled";
      if (target.batchSize !== this.current.batchSize || target.enabled !== this.current.enabled) {
        this.current = target;
        this.history.push({ at: this.loop.now, ...target });
      }
    });
    return { ok: true, view: { uuid: this.uuid, batchSize: this.desired.batchSize, state: this.state } };
  }
}

export interface SimMappingControlOptions {
  /** @default 5000 (the adapter's) */
  minUpdateIntervalMs?: number;
  /** @default 4 */
  maxRetries?: number;
  /** @default 250 */
  backoffBaseMs?: number;
  /** @default 4000 */
  backoffCapMs?: number;
  /** @default 60000 */
  viewMaxAgeMs?: number;
}

/** One container's MappingControl; `deadlineMs` reads the running invocation's remaining time. */
export class SimMappingControl implements MappingControl {
  private cached: { view: MappingView; enabled: boolean | undefined; at: number } | undefined;
  private lastUpdateAt: number | undefined;
  private readonly opts: Required<SimMappingControlOptions>;
  deadlineMs: () => number = () => Number.POSITIVE_INFINITY;

  constructor(
    private readonly plane: SimControlPlane,
    private readonly loop: EventLoop,
    private readonly random: Random,
    opts: SimMappingControlOptions = {},
  ) {
    this.opts = { minUpdateIntervalMs: 5_000, maxRetries: 4, backoffBaseMs: 250, backoffCapMs: 4_000, viewMaxAgeMs: 60_000, ...opts };
  }

  async get(): Promise<MappingView> {
    return this.remember(this.plane.view());
  }

  async update(change: MappingChange): Promise<{ applied: boolean; view: MappingView; reason?: string }> {
    if (change.batchSize !== undefined && (!Number.isInteger(change.batchSize) || change.batchSize < 1)) {
      throw new RangeError(`SimMappingControl.update: batchSize ${change.batchSize} must be an integer >= 1`);
    }
    if (this.cached === undefined) await this.get();
    const current = this.cached!;
    const fresh = this.loop.now - current.at <= this.opts.viewMaxAgeMs;
    const delta: Delta = {};
    if (change.batchSize !== undefined && (!fresh || change.batchSize !== current.view.batchSize)) delta.BatchSize = change.batchSize;
    if (change.enabled !== undefined && (!fresh || change.enabled !== current.enabled)) delta.Enabled = change.enabled;
    if (delta.BatchSize === undefined && delta.Enabled === undefined) return { applied: true, view: current.view };
    if (delta.Enabled === undefined && this.lastUpdateAt !== undefined && this.loop.now - this.lastUpdateAt < this.opts.minUpdateIntervalMs) {
      return { applied: false, view: current.view, reason: "rate-limited" };
    }
    for (let attempt = 0; ; attempt++) {
      this.lastUpdateAt = this.loop.now;
      const out = this.plane.update(delta);
      if (out.ok) return { applied: true, view: this.remember(out.view, delta.Enabled) };
      if (attempt >= this.opts.maxRetries) return { applied: false, view: current.view, reason: `${out.error} (after ${attempt + 1} attempts)` };
      const delay = fullJitterDelay(attempt, this.random, { baseMs: this.opts.backoffBaseMs, capMs: this.opts.backoffCapMs });
      if (delay >= this.deadlineMs()) return { applied: false, view: current.view, reason: `${out.error} (no time left to retry)` };
      await this.loop.sleep(delay);
    }
  }

  private remember(view: MappingView, askedEnabled?: boolean): MappingView {
    this.cached = { view, enabled: enabledOf(view.state) ?? askedEnabled ?? this.cached?.enabled, at: this.loop.now };
    return view;
  }
}
