import { expect } from "chai";
import { PROBE_SLACK_MS } from "../../runtime/controller/breaker";
import { THRESHOLDS } from "../../runtime/controller/evidence";
import { restartLimit } from "../../runtime/controller/limit-strategy";
import { MAX_MAPPING_BATCH_SIZE, wavesFor } from "../../runtime/controller/mapping-update";
import { strategyFor } from "../../runtime/controller/registry";
import { BREAKER, type ControllerState, type Strategy } from "../../runtime/controller/types";
import type { Provider } from "../../runtime/catalog/provider";
import { batch, MINUTE, strategySettings } from "./fixtures";

const NOW = 1_700_000_000_000;
const breaker = { baseIntervalMinutes: 10, maxIntervalMinutes: 40, probesToClose: 3 };

const settingsFor = (strategy: string): Provider => strategySettings(strategy, { breaker, minUpdateIntervalSeconds: 60 });

/** The mechanics every strategy but step shares, run with each of them. */
for (const name of ["adaptive", "aimd", "vegas", "gradient2"] as const) {
  describe(`controller mechanics (${name})`, () => {
    const settings = settingsFor(name);
    const strategy: Strategy = strategyFor(name);
    const closed = (limit: number, extra: Partial<ControllerState> = {}): ControllerState => ({
      ...strategy.initial(settings, 0),
      limit,
      mappingBatchSize: limit,
      lastUpdateAt: NOW - 10 * MINUTE,
      ...extra,
    });
    const after = (s: ControllerState, pattern: string, limit: number, at: number) => strategy.afterBatch(s, batch(pattern, limit), settings, at);
    const open1 = after(closed(1), "xxxxxx", 1, NOW);

    it("opens the breaker when the provider fails most calls, at any limit, remembering the level that worked", () => {
      const d = after(closed(8, { lastGoodLimit: 6 }), "eeeeeeee", 8, NOW);
      expect(d.action).to.deep.equal({ type: "open-breaker", nextProbeAt: NOW + 10 * MINUTE });
      expect(d.state).to.include({ limit: 1, lastGoodLimit: 8 });
      expect(d.state.breaker).to.deep.equal({ status: BREAKER.OPEN, openedAt: NOW, nextProbeAt: NOW + 10 * MINUTE, trips: 1 });
    });

    it("opens when the provider struggles even at one call, over enough calls, never on one slow call", () => {
      let s = closed(1, { lastGoodLimit: 1 });
      const actions: string[] = [];
      for (let i = 0; i < 20; i++) {
        const d = after(s, "s", 1, NOW + i);
        actions.push(d.action.type);
        s = d.state;
        if (d.action.type === "open-breaker") break;
      }
      expect(actions.at(-1)).to.equal("open-breaker");
      expect(actions.length).to.be.within(8, 20);
    });

    it("ignores waves that end while it is open", () => {
      expect(after(open1.state, "oo", 1, NOW + 1)).to.deep.equal({ state: open1.state, action: { type: "keep" } });
    });

    it("ignores a wave that ran under a limit already lowered by a parallel batch", () => {
      const s = closed(3);
      const d = after(s, "tttttttttt", 10, NOW);
      expect(d.state.limit).to.equal(3);
      expect(d.state.evidence).to.equal(undefined);
    });

    it("probes on the schedule once due (within the slack), keeping the mapping's batch size, the fan-out at 1", () => {
      expect(strategy.onSchedule(open1.state, settings, NOW + 10 * MINUTE - PROBE_SLACK_MS - 1).action.type).to.equal("keep");
      const probe = strategy.onSchedule({ ...open1.state, mappingBatchSize: 400 }, settings, NOW + 10 * MINUTE);
      expect(probe.action).to.deep.equal({ type: "probe", batchSize: 400 });
      expect(probe.state).to.include({ limit: 1, mappingBatchSize: 400 });
      expect(probe.state.breaker).to.deep.equal({ status: BREAKER.HALF_OPEN, since: NOW + 10 * MINUTE, goodProbes: 0, trips: 1 });
      expect(probe.state.evidence).to.include({ down: THRESHOLDS.down / 2, struggle: THRESHOLDS.struggle / 2 });
    });

    it("closes after probesToClose good probes (a slow answer is an answer), one decrease below the level that worked", () => {
      let s = strategy.onSchedule({ ...open1.state, lastGoodLimit: 6 }, settings, NOW + 10 * MINUTE).state;
      const actions: string[] = [];
      for (const c of ["o", "s", "o"]) {
        const d = after(s, c, 1, NOW + 10 * MINUTE + actions.length + 1);
        actions.push(d.action.type);
        s = d.state;
      }
      expect(actions).to.deep.equal(["keep", "keep", "close"]);
      const restart = restartLimit({ ...s, lastGoodLimit: 6 }, settings.controller as never, 10);
      expect(s).to.include({ limit: restart });
      expect(s.breaker).to.deep.equal({ status: BREAKER.CLOSED });
      expect(s.mappingBatchSize).to.equal(Math.min(MAX_MAPPING_BATCH_SIZE, wavesFor(s.latencyMs!) * restart));
    });

    it("re-opens within a few probes while the provider is still down, the wait doubling from the probe's tick up to the cap", () => {
      let s = open1.state;
      const waits: number[] = [];
      const probesNeeded: number[] = [];
      for (let round = 0; round < 4; round++) {
        const t = (s.breaker as { nextProbeAt: number }).nextProbeAt;
        s = strategy.onSchedule(s, settings, t).state;
        for (let i = 1; i <= 10; i++) {
          const d = after(s, "x", 1, t + i * 1_000);
          s = d.state;
          if (d.action.type === "open-breaker") {
            waits.push((d.action.nextProbeAt - t) / MINUTE);
            probesNeeded.push(i);
            break;
          }
        }
      }
      expect(waits).to.deep.equal([20, 40, 40, 40]);
      expect(Math.max(...probesNeeded)).to.be.at.most(4);
      expect(s.breaker).to.include({ trips: 5 });
    });

    it("does not re-open on one failed probe of a provider that answers the others", () => {
      let s = strategy.onSchedule(open1.state, settings, NOW + 10 * MINUTE).state;
      const actions: string[] = [];
      for (const c of ["e", "o", "o", "o"]) {
        const d = after(s, c, 1, NOW + 10 * MINUTE + actions.length + 1);
        actions.push(d.action.type);
        s = d.state;
      }
      expect(actions).to.deep.equal(["keep", "keep", "keep", "close"]);
    });

    it("does nothing on the schedule while closed", () => {
      const s = closed(5);
      expect(strategy.onSchedule(s, settings, NOW)).to.deep.equal({ state: s, action: { type: "keep" } });
    });

    it("refuses another strategy's settings, naming the field", () => {
      const other = name === "adaptive" ? settingsFor("aimd") : settingsFor("adaptive");
      expect(() => strategy.onSchedule(closed(5), other, NOW)).to.throw(/controller\.strategy "/);
    });
  });
}
