/**
 * What pause, resume and reset-breaker do to a pipeline, as pure functions of
 * (provider, saved pipeline state, now): the state to save with optimistic
 * concurrency, the mapping change to make after it, and what still holds the
 * mapping when none is made. The ventilator's gate and the re-arm schedule
 * read the same state, so these decisions only speak their vocabulary:
 *
 *   pause   pause = {reason: "operator", since, by, note, resumeMappingBatchSize}; disable the mapping.
 *           resumeMappingBatchSize keeps the size an earlier window/daily-limit pause saved, else the
 *           controller's applied batch size.
 *   resume  only an operator pause, or an auth pause (the provider refused the credential: an operator
 *           fixed it). It becomes the pause the pipeline would be in without it —
 *           window closed → that window's pause; daily limit used up → "daily-limit"; else none —
 *           and the mapping is enabled at the saved batch size (1 while half-open) unless the
 *           catalog disables the provider, a pause remains, or the breaker is open: then the
 *           re-arm schedule enables it when the reason ends.
 *   reset   only a breaker that is not closed. The controller restarts from the strategy's own
 *           initial state (restoreState of nothing: breaker closed, limit = initialFanOut, no
 *           trips); a pause stays but will resume at the new batch size; the mapping is enabled at
 *           that size if nothing else holds it.
 */
import type { Provider } from "../runtime/catalog/provider";
import { restoreState, strategyOf } from "../runtime/controller";
import { BREAKER, type ControllerState } from "../runtime/controller/types";
import type { DayStats, Pause, PipelineState, VersionedPipelineState } from "../runtime/ledger/types";
import type { MappingChange } from "../runtime/ventilator/ports";
import { windowStatus } from "../runtime/windows/clock";
import type { WindowClosed } from "../runtime/windows/closed-because";
import { localAndUtc } from "./time-text";

export const OPERATOR_ACTION = { PAUSE: "pause", RESUME: "resume", RESET_BREAKER: "reset-breaker" } as const;
export type OperatorActionName = (typeof OPERATOR_ACTION)[keyof typeof OPERATOR_ACTION];

export interface PlanInput {
  provider: Provider;
  now: number;
  /** The pipeline item as loaded; null when no invocation saved one yet. */
  loaded: VersionedPipelineState | null;
  by: string;
  /** The operator's --reason. */
  note?: string;
  /** Today's counters; resume reads them for the daily limit. */
  today?: DayStats;
}

/** Why the mapping is left disabled after an action. */
export type Hold =
  | { by: "catalog" }
  | { by: "pause"; pause: Pause }
  | { by: "window"; reason: WindowClosed; opensAt: number | null }
  | { by: "breaker"; nextProbeAt: number };

export type Plan =
  | { kind: "refuse"; message: string }
  /** Nothing to save; the mapping change still makes sure the mapping agrees. */
  | { kind: "unchanged"; message: string; mapping: MappingChange | null }
  | { kind: "save"; state: PipelineState; mapping: MappingChange | null; hold: Hold | null };

function controllerOf(input: PlanInput): ControllerState {
  return restoreState(input.loaded?.state.controller, input.provider, input.now);
}

/** The saved controller JSON as it was (the ledger treats it as opaque), or a fresh one when none was saved. */
function savedController(input: PlanInput): unknown {
  return input.loaded ? input.loaded.state.controller : controllerOf(input);
}

export function planPause(input: PlanInput): Plan {
  const current = input.loaded?.state.pause ?? null;
  if (current?.reason === "operator") {
    return { kind: "unchanged", message: `already paused by ${current.by ?? "an operator"} since ${localAndUtc(input.provider.timezone, current.since)}${current.note ? `: ${current.note}` : ""}`, mapping: { enabled: false } };
  }
  const pause: Pause = {
    reason: "operator",
    since: input.now,
    by: input.by,
    ...(input.note ? { note: input.note } : {}),
    resumeMappingBatchSize: current?.resumeMappingBatchSize ?? controllerOf(input).mappingBatchSize,
  };
  return { kind: "save", state: { controller: savedController(input), pause, updatedAt: input.now }, mapping: { enabled: false }, hold: null };
}

export function planResume(input: PlanInput): Plan {
  const { provider, now } = input;
  const pause = input.loaded?.state.pause ?? null;
  if (pause?.reason !== "operator" && pause?.reason !== "auth") {
    const why = pause
      ? `it is paused for "${pause.reason}" since ${localAndUtc(provider.timezone, pause.since)}, which the re-arm schedule lifts by itself`
      : "it is not paused";
    return { kind: "refuse", message: `provider "${provider.id}" has no operator or auth pause to resume: ${why}` };
  }
  const controller = controllerOf(input);
  // The size the re-arm schedule would resume at, by the same rule (runtime/ventilator/schedule.ts).
  const resumeAt = pause.resumeMappingBatchSize ?? controller.mappingBatchSize;
  const window = windowStatus(provider, now);
  const limit = provider.dailyRequestLimit;
  const dailyUsedUp = limit !== undefined && (input.today?.requests ?? 0) >= limit;
  let next: Pause | null = null;
  if (!window.open) next = { reason: window.reason, since: now, resumeMappingBatchSize: resumeAt };
  else if (dailyUsedUp) next = { reason: "daily-limit", since: now, resumeMappingBatchSize: resumeAt };

  let hold: Hold | null = null;
  if (!provider.enabled) hold = { by: "catalog" };
  else if (!window.open) hold = { by: "window", reason: window.reason, opensAt: window.opensAt };
  else if (next) hold = { by: "pause", pause: next };
  else if (controller.breaker.status === BREAKER.OPEN) hold = { by: "breaker", nextProbeAt: controller.breaker.nextProbeAt };
  const mapping: MappingChange | null = hold ? null : { enabled: true, batchSize: controller.breaker.status === BREAKER.HALF_OPEN ? 1 : resumeAt };
  return { kind: "save", state: { controller: savedController(input), pause: next, updatedAt: now }, mapping, hold };
}

export function planResetBreaker(input: PlanInput): Plan {
  const { provider, now } = input;
  const controller = controllerOf(input);
  if (controller.breaker.status === BREAKER.CLOSED) {
    return { kind: "refuse", message: `the breaker of provider "${provider.id}" is closed: nothing to reset` };
  }
  const fresh = strategyOf(provider).initial(provider, now);
  const current = input.loaded?.state.pause ?? null;
  const pause: Pause | null = current ? { ...current, resumeMappingBatchSize: fresh.mappingBatchSize } : null;
  const window = windowStatus(provider, now);
  let hold: Hold | null = null;
  if (!provider.enabled) hold = { by: "catalog" };
  else if (pause) hold = { by: "pause", pause };
  else if (!window.open) hold = { by: "window", reason: window.reason, opensAt: window.opensAt };
  const mapping: MappingChange | null = hold ? null : { enabled: true, batchSize: fresh.mappingBatchSize };
  return { kind: "save", state: { controller: fresh, pause, updatedAt: now }, mapping, hold };
}

/** One sentence on what keeps the mapping disabled and who lifts it. */
export function describeHold(hold: Hold, provider: Provider): string {
  const at = (t: number) => localAndUtc(provider.timezone, t);
  switch (hold.by) {
    case "catalog":
      return `the provider is disabled in the catalog ("enabled": false): the mapping stays disabled`;
    case "window":
      return `the provider's window is closed (${hold.reason}) ${hold.opensAt === null ? "and never opens" : `until ${at(hold.opensAt)}`}: the re-arm schedule enables the mapping when it opens`;
    case "breaker":
      return `the breaker is open: the re-arm schedule probes at batch size 1 from ${at(hold.nextProbeAt)} (sluice reset-breaker -p ${provider.id} closes it now)`;
    case "pause":
      if (hold.pause.reason === "operator") return `still paused by ${hold.pause.by ?? "an operator"} since ${at(hold.pause.since)}: run sluice resume -p ${provider.id}`;
      if (hold.pause.reason === "auth") return `paused since ${at(hold.pause.since)}: the provider refused the credential (${hold.pause.note ?? "401/403"}); fix it, then run sluice resume -p ${provider.id}`;
      if (hold.pause.reason === "daily-limit") return `today's daily request limit (${provider.dailyRequestLimit}) is used up: the re-arm schedule resumes on the next provider day`;
      return `paused for "${hold.pause.reason}": the re-arm schedule enables the mapping when the window opens`;
  }
}
