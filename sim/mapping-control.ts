/**
 * The event source mapping's control plane in virtual time, and the
 * MappingControl port each simulated container calls.
 *
 * Control plane (Lambda's UpdateEventSourceMapping): an update is accepted at
 * once (202, state Updating / Enabling / Disabling) and becomes effective
 * `delay()` later, when the state settles to Enabled or Disabled; the poller
 * reads only effective settings. An update while one is still in progress is
 * refused with ResourceInUseException. Every request is counted. `scripted`
 * refusals (throttles, conflicts the model does not produce on its own) are
 * answered first, one per request, for tests.
 *
 * Port: the runtime's own policy (runtime/mapping/policy, the class the
 * ventilator's SDK adapter is) over this plane as its transport; its defaults
 * are MAPPING_CONTROL_DEFAULTS.
 */
import { MappingControlPolicy } from "../runtime/mapping/policy";
import type { MappingControlSettings } from "../runtime/mapping/settings";
import { MappingError, mappingFailureOf, type MappingDelta, type MappingTransport } from "../runtime/mapping/transport";
import type { MappingState, MappingView } from "../runtime/ventilator/ports";
import type { EventLoop } from "./event-loop";
import type { Random } from "./rng";

export interface MappingSettingsNow {
  batchSize: number;
  enabled: boolean;
}

export interface EffectiveChange extends MappingSettingsNow {
  at: number;
}

/** A refusal as Lambda answers it: the error's name and HTTP status. */
export interface Refusal {
  error: string;
  status: number;
}

export const RESOURCE_IN_USE = "ResourceInUseException";
const IN_USE: Refusal = { error: RESOURCE_IN_USE, status: 409 };

export class SimControlPlane {
  readonly uuid = "sim-0000-mapping";
  private desired: MappingSettingsNow;
  private current: MappingSettingsNow;
  private state: MappingState;
  private busyUntil = -Infinity;
  /** UpdateEventSourceMapping requests: accepted ones and refused ones (ResourceInUse). */
  readonly requests = { accepted: 0, refused: 0, reads: 0 };
  /** The fields of every update request, accepted or refused, in order. */
  readonly updateLog: MappingDelta[] = [];
  /** Refusals answered before anything else, one per request (test seams). */
  readonly scripted: { reads: Refusal[]; updates: Refusal[] } = { reads: [], updates: [] };
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

  /** What the last accepted update asked for (the effective settings once it has landed). */
  get requested(): MappingSettingsNow {
    return this.desired;
  }

  /** What the poller uses. */
  get effective(): MappingSettingsNow {
    return this.current;
  }

  /** What a read would show (not a request). */
  view(): MappingView {
    return { uuid: this.uuid, batchSize: this.desired.batchSize, state: this.state };
  }

  /** GetEventSourceMapping. */
  read(): { ok: true; view: MappingView } | ({ ok: false } & Refusal) {
    this.requests.reads++;
    const refusal = this.scripted.reads.shift();
    return refusal ? { ok: false, ...refusal } : { ok: true, view: this.view() };
  }

  /** UpdateEventSourceMapping. */
  update(delta: MappingDelta): { ok: true; view: MappingView } | ({ ok: false } & Refusal) {
    this.updateLog.push({ ...delta });
    const refusal = this.scripted.updates.shift() ?? (this.loop.now < this.busyUntil ? IN_USE : undefined);
    if (refusal) {
      this.requests.refused++;
      return { ok: false, ...refusal };
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

/** The plane as the policy's transport; a refusal becomes the MappingError the SDK adapter would raise. */
function planeTransport(plane: SimControlPlane): MappingTransport {
  const refused = (r: Refusal) => new MappingError(r.error, { failure: mappingFailureOf(r.error, r.status) });
  return {
    get: async () => {
      const out = plane.read();
      if (!out.ok) throw refused(out);
      return out.view;
    },
    update: async (_uuid, delta) => {
      const out = plane.update(delta);
      if (!out.ok) throw refused(out);
      return out.view;
    },
  };
}

/**
 * One container's MappingControl: the runtime's policy on virtual time, its
 * backoff jitter from the run's seeded stream. `deadlineMs` is set to the
 * running invocation's remaining time.
 */
export class SimMappingControl extends MappingControlPolicy {
  constructor(plane: SimControlPlane, loop: EventLoop, random: Random, settings: Partial<MappingControlSettings> = {}) {
    super(planeTransport(plane), { ...settings, clock: { now: () => loop.now }, sleep: (ms) => loop.sleep(ms), random });
  }
}
