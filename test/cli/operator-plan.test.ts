import { expect } from "chai";
import { describeHold, planPause, planResetBreaker, planResume, type Hold, type Plan, type PlanInput } from "../../cli/operator-plan";
import type { Provider } from "../../runtime/catalog/provider";
import type { ProviderInput } from "../../runtime/catalog/schema";
import { validateProvider } from "../../runtime/catalog/validate";
import { initialState, strategyOf } from "../../runtime/controller";
import { BREAKER, type ControllerState } from "../../runtime/controller/types";
import type { Pause, VersionedPipelineState } from "../../runtime/ledger/types";

/** A London provider open 20:00–06:00 with Sunday 01:00–04:00 maintenance and a daily limit of 100. */
function london(overrides: Partial<ProviderInput> = {}): Provider {
  return validateProvider({
    id: "meridian",
    maxConcurrency: 8,
    maxFanOut: 4,
    initialFanOut: 2,
    timezone: "Europe/London",
    accessWindows: [{ start: "20:00", end: "06:00" }],
    maintenanceWindows: [{ day: "sun", start: "01:00", end: "04:00" }],
    dailyRequestLimit: 100,
    worker: { module: "chaos" },
    controller: { strategy: "adaptive" },
    ...overrides,
  });
}

// Monday 2026-11-30 (GMT = UTC in winter).
const NOON = Date.UTC(2026, 10, 30, 12, 0); // closed: outside access, opens 20:00
const NIGHT = Date.UTC(2026, 10, 30, 22, 0); // open
const SUNDAY_MAINTENANCE = Date.UTC(2026, 10, 29, 2, 0); // Sunday 02:00: maintenance until 04:00
const EIGHT_PM = Date.UTC(2026, 10, 30, 20, 0);

function controller(p: Provider, patch: Partial<ControllerState> = {}): ControllerState {
  return { ...initialState(p), mappingBatchSize: 40, limit: 3, ...patch };
}
const open = (at: number): ControllerState["breaker"] => ({ status: BREAKER.OPEN, openedAt: at - 60_000, nextProbeAt: at + 600_000, trips: 2 });
const halfOpen = (at: number): ControllerState["breaker"] => ({ status: BREAKER.HALF_OPEN, since: at - 1_000, goodProbes: 1, trips: 1 });
const operatorPause = (patch: Partial<Pause> = {}): Pause => ({ reason: "operator", since: NOON - 3_600_000, by: "alice", note: "INC-1", resumeMappingBatchSize: 12, ...patch });

function loaded(p: Provider, c: Partial<ControllerState>, pause: Pause | null): VersionedPipelineState {
  return { state: { controller: controller(p, c), pause, updatedAt: NOON - 10_000 }, version: 7 };
}

function input(p: Provider, now: number, state: VersionedPipelineState | null, extra: Partial<PlanInput> = {}): PlanInput {
  return { provider: p, now, loaded: state, by: "bob", note: "because", ...extra };
}

function saved(plan: Plan): Extract<Plan, { kind: "save" }> {
  expect(plan.kind, JSON.stringify(plan)).to.equal("save");
  return plan as Extract<Plan, { kind: "save" }>;
}

describe("operator plans", () => {
  const p = london();

  describe("pause", () => {
    it("saves an operator pause with who, why, since and the batch size to resume at, and disables the mapping", () => {
      const plan = saved(planPause(input(p, NIGHT, loaded(p, {}, null))));
      expect(plan.state.pause).to.deep.equal({ reason: "operator", since: NIGHT, by: "bob", note: "because", resumeMappingBatchSize: 40 });
      expect(plan.state.controller).to.deep.equal(controller(p));
      expect(plan.state.updatedAt).to.equal(NIGHT);
      expect(plan.mapping).to.deep.equal({ enabled: false });
    });

    it("keeps the batch size an earlier window pause saved", () => {
      const plan = saved(planPause(input(p, NOON, loaded(p, {}, { reason: "outside-window", since: NOON - 5, resumeMappingBatchSize: 7 }))));
      expect(plan.state.pause?.resumeMappingBatchSize).to.equal(7);
      expect(plan.state.pause?.reason).to.equal("operator");
    });

    it("leaves out the note when no reason is given", () => {
      const plan = saved(planPause(input(p, NIGHT, loaded(p, {}, null), { note: undefined })));
      expect(plan.state.pause).to.not.have.property("note");
    });

    it("starts from the strategy's initial state when no invocation saved a pipeline yet", () => {
      const plan = saved(planPause(input(p, NIGHT, null)));
      expect(plan.state.controller).to.deep.equal(strategyOf(p).initial(p, NIGHT));
      expect(plan.state.pause?.resumeMappingBatchSize).to.equal(2);
    });

    it("keeps the saved controller JSON as it is, even a state it would not restore", () => {
      const foreign = { strategy: "step", limit: 99 };
      const plan = saved(planPause(input(p, NIGHT, { state: { controller: foreign, pause: null, updatedAt: 0 }, version: 1 })));
      expect(plan.state.controller).to.equal(foreign);
    });

    it("changes nothing when an operator already paused, and still makes sure the mapping is disabled", () => {
      const plan = planPause(input(p, NOON, loaded(p, {}, operatorPause())));
      expect(plan.kind).to.equal("unchanged");
      expect(plan).to.have.property("mapping").that.deep.equals({ enabled: false });
      expect((plan as { message: string }).message).to.equal("already paused by alice since Mon 2026-11-30 11:00 GMT (2026-11-30T11:00Z): INC-1");
    });
  });

  describe("resume", () => {
    const cases: { name: string; now: number; provider?: Provider; c?: Partial<ControllerState>; pause?: Pause; requests?: number; next: Pause | null; mapping: object | null; hold: Hold["by"] | null }[] = [
      { name: "window open, breaker closed: pause lifted, mapping enabled at the saved size", now: NIGHT, pause: operatorPause(), next: null, mapping: { enabled: true, batchSize: 12 }, hold: null },
      { name: "no saved size: the controller's applied batch size", now: NIGHT, pause: operatorPause({ resumeMappingBatchSize: undefined }), next: null, mapping: { enabled: true, batchSize: 40 }, hold: null },
      { name: "half-open breaker: enabled at batch size 1 for the probe", now: NIGHT, c: { breaker: halfOpen(NIGHT) }, pause: operatorPause(), next: null, mapping: { enabled: true, batchSize: 1 }, hold: null },
      { name: "breaker open: lifted, the schedule probes later", now: NIGHT, c: { breaker: open(NIGHT) }, pause: operatorPause(), next: null, mapping: null, hold: "breaker" },
      {
        name: "outside the access window: becomes the window's pause, the schedule resumes at 20:00",
        now: NOON,
        pause: operatorPause(),
        next: { reason: "outside-window", since: NOON, resumeMappingBatchSize: 12 },
        mapping: null,
        hold: "window",
      },
      {
        name: "in maintenance: becomes a maintenance pause",
        now: SUNDAY_MAINTENANCE,
        pause: operatorPause(),
        next: { reason: "maintenance", since: SUNDAY_MAINTENANCE, resumeMappingBatchSize: 12 },
        mapping: null,
        hold: "window",
      },
      { name: "daily limit used up: becomes a daily-limit pause", now: NIGHT, pause: operatorPause(), requests: 100, next: { reason: "daily-limit", since: NIGHT, resumeMappingBatchSize: 12 }, mapping: null, hold: "pause" },
      { name: "daily limit not yet used up", now: NIGHT, pause: operatorPause(), requests: 99, next: null, mapping: { enabled: true, batchSize: 12 }, hold: null },
      { name: "provider disabled in the catalog: lifted, mapping left disabled", now: NIGHT, provider: london({ enabled: false }), pause: operatorPause(), next: null, mapping: null, hold: "catalog" },
      {
        name: "the provider refused the credential (auth pause) and an operator fixed it: lifted like an operator pause",
        now: NIGHT,
        pause: { reason: "auth", since: NIGHT - 60_000, note: "GET …: 401", resumeMappingBatchSize: 12 },
        next: null,
        mapping: { enabled: true, batchSize: 12 },
        hold: null,
      },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const provider = c.provider ?? p;
        const plan = saved(planResume(input(provider, c.now, loaded(provider, c.c ?? {}, c.pause ?? null), { today: { requests: c.requests ?? 0, done: 0, failed: 0, dead: 0, adHocDone: 0, adHocFailed: 0, adHocDead: 0 } })));
        expect(plan.state.pause).to.deep.equal(c.next);
        expect(plan.mapping).to.deep.equal(c.mapping);
        expect(plan.hold?.by ?? null).to.equal(c.hold);
        expect(plan.state.controller).to.deep.equal(controller(provider, c.c ?? {}));
      });
    }

    it("refuses a pipeline that is not paused", () => {
      expect(planResume(input(p, NIGHT, loaded(p, {}, null)))).to.deep.equal({ kind: "refuse", message: 'provider "meridian" has no operator or auth pause to resume: it is not paused' });
      expect(planResume(input(p, NIGHT, null)).kind).to.equal("refuse");
    });

    it("refuses a pause the pipeline took by itself, and says who lifts it", () => {
      const plan = planResume(input(p, NOON, loaded(p, {}, { reason: "outside-window", since: NOON - 60_000 })));
      expect(plan).to.deep.equal({
        kind: "refuse",
        message: 'provider "meridian" has no operator or auth pause to resume: it is paused for "outside-window" since Mon 2026-11-30 11:59 GMT (2026-11-30T11:59Z), which the re-arm schedule lifts by itself',
      });
    });
  });

  describe("reset-breaker", () => {
    it("refuses a closed breaker", () => {
      expect(planResetBreaker(input(p, NIGHT, loaded(p, {}, null)))).to.deep.equal({ kind: "refuse", message: 'the breaker of provider "meridian" is closed: nothing to reset' });
      expect(planResetBreaker(input(p, NIGHT, null)).kind).to.equal("refuse");
    });

    for (const [name, breaker] of [
      ["open", open(NIGHT)],
      ["half-open", halfOpen(NIGHT)],
    ] as const) {
      it(`restarts ${name === "open" ? "an" : "a"} ${name} breaker from the strategy's initial state and enables the mapping at its batch size`, () => {
        const plan = saved(planResetBreaker(input(p, NIGHT, loaded(p, { breaker, lastGoodLimit: 4, lastDecreaseAt: NIGHT - 5 }, null))));
        expect(plan.state.controller).to.deep.equal(strategyOf(p).initial(p, NIGHT));
        expect(plan.state.pause).to.equal(null);
        expect(plan.mapping).to.deep.equal({ enabled: true, batchSize: 2 });
        expect(plan.hold).to.equal(null);
      });
    }

    it("leaves the mapping to an operator pause, which then resumes at the restarted size", () => {
      const plan = saved(planResetBreaker(input(p, NIGHT, loaded(p, { breaker: open(NIGHT) }, operatorPause()))));
      expect(plan.state.pause).to.deep.equal({ ...operatorPause(), resumeMappingBatchSize: 2 });
      expect(plan.mapping).to.equal(null);
      expect(plan.hold).to.deep.equal({ by: "pause", pause: { ...operatorPause(), resumeMappingBatchSize: 2 } });
    });

    it("leaves the mapping to the schedule while the window is closed", () => {
      const plan = saved(planResetBreaker(input(p, NOON, loaded(p, { breaker: open(NOON) }, null))));
      expect(plan.mapping).to.equal(null);
      expect(plan.hold).to.deep.equal({ by: "window", reason: "outside-window", opensAt: EIGHT_PM });
    });

    it("does not enable the mapping of a provider the catalog disables", () => {
      const off = london({ enabled: false });
      const plan = saved(planResetBreaker(input(off, NIGHT, loaded(off, { breaker: open(NIGHT) }, null))));
      expect(plan.mapping).to.equal(null);
      expect(plan.hold).to.deep.equal({ by: "catalog" });
    });
  });

  describe("what holds the mapping, in words", () => {
    const cases: [Hold, string][] = [
      [{ by: "catalog" }, 'the provider is disabled in the catalog ("enabled": false): the mapping stays disabled'],
      [{ by: "window", reason: "outside-window", opensAt: EIGHT_PM }, "the provider's window is closed (outside-window) until Mon 2026-11-30 20:00 GMT (2026-11-30T20:00Z): the re-arm schedule enables the mapping when it opens"],
      [{ by: "window", reason: "maintenance", opensAt: null }, "the provider's window is closed (maintenance) and never opens: the re-arm schedule enables the mapping when it opens"],
      [{ by: "breaker", nextProbeAt: EIGHT_PM }, "the breaker is open: the re-arm schedule probes at batch size 1 from Mon 2026-11-30 20:00 GMT (2026-11-30T20:00Z) (sluice reset-breaker -p meridian closes it now)"],
      [{ by: "pause", pause: operatorPause() }, "still paused by alice since Mon 2026-11-30 11:00 GMT (2026-11-30T11:00Z): run sluice resume -p meridian"],
      [{ by: "pause", pause: { reason: "daily-limit", since: NIGHT } }, "today's daily request limit (100) is used up: the re-arm schedule resumes on the next provider day"],
      [
        { by: "pause", pause: { reason: "auth", since: NIGHT, note: "GET …: 401" } },
        "paused since Mon 2026-11-30 22:00 GMT (2026-11-30T22:00Z): the provider refused the credential (GET …: 401); fix it, then run sluice resume -p meridian",
      ],
      [{ by: "pause", pause: { reason: "maintenance", since: NIGHT } }, 'paused for "maintenance": the re-arm schedule enables the mapping when the window opens'],
    ];
    for (const [hold, text] of cases) {
      const detail = hold.by === "pause" ? ` (${hold.pause.reason})` : hold.by === "window" ? ` (${hold.reason}${hold.opensAt === null ? ", never opens" : ""})` : "";
      it(`${hold.by}${detail}`, () => expect(describeHold(hold, p)).to.equal(text));
    }
  });
});
