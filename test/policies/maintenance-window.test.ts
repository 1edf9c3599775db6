import { expect } from "chai";
import { TAG, contractTags, providerTags } from "../../components/tags";
import { serializeProvider } from "../../runtime/catalog/provider";
import type { ProviderInput } from "../../runtime/catalog/schema";
import { NOW_ENV, defaultPolicyClock, fixedClock, type PolicyClock } from "../../policies/clock";
import { PolicyConfigError } from "../../policies/config";
import { MAINTENANCE_WINDOW, maintenanceWindowPolicy } from "../../policies/maintenance-window";
import { TYPE } from "../../policies/resource-types";
import { ACME, at, check, pipeline, provider, resource, resourceArgs } from "./harness";

const SYDNEY = provider({
  id: "pacific",
  maxConcurrency: 4,
  maxFanOut: 4,
  timezone: "Australia/Sydney",
  accessWindows: [{ days: ["mon", "tue", "wed", "thu", "fri"], start: "21:00", end: "05:30" }],
  maintenanceWindows: [{ day: "wed", start: "23:00", end: "01:00" }],
});

async function verdict(clock: PolicyClock, resources = pipeline().all, config?: Record<string, unknown>) {
  return (await check(maintenanceWindowPolicy(clock), resources, config ? { config } : {})).violations;
}
const refusedAt = async (iso: string, p = ACME) => (await verdict(at(iso), pipeline(p).all)).length > 0;

describe("policies/maintenance-window", () => {
  it("is a mandatory resource policy", () => {
    const policy = maintenanceWindowPolicy(at("2026-01-06T12:00:00Z"));
    expect(policy.name).to.equal(MAINTENANCE_WINDOW);
    expect(policy.enforcementLevel).to.equal("mandatory");
  });

  it("lets a deploy through outside the maintenance window", async () => {
    expect(await verdict(at("2026-01-06T12:00:00Z"))).to.deep.equal([]);
  });

  it("refuses the stream, the worker and the mapping of a provider in maintenance, saying until when", async () => {
    const p = pipeline();
    const violations = await verdict(at("2026-01-04T02:00:00Z"), p.all);
    expect(violations.map((v) => [v.urn, v.level])).to.deep.equal([
      [p.stream.urn, "mandatory"],
      [p.worker.urn, "mandatory"],
      [p.mapping.urn, "mandatory"],
    ]);
    expect(violations[0]!.message).to.equal(
      `provider "acme" is inside its maintenance window sun 01:00-04:00 (Europe/London) at 2026-01-04T02:00:00Z (Sun 2026-01-04 02:00 GMT; clock: test); ` +
        `deploys touching its pipeline are refused until 2026-01-04T04:00:00Z (Sun 2026-01-04 04:00 GMT). ` +
        `In an emergency: --policy-pack-config with {"sluice-maintenance-window": {"override": {"providers": ["acme"], "reason": "..."}}}`,
    );
  });

  describe("window edges (half-open: the first instant is inside, the end is not)", () => {
    const cases: [string, string, boolean][] = [
      ["a millisecond before it starts", "2026-01-04T00:59:59.999Z", false],
      ["exactly at its start", "2026-01-04T01:00:00Z", true],
      ["a millisecond before it ends", "2026-01-04T03:59:59.999Z", true],
      ["exactly at its end", "2026-01-04T04:00:00Z", false],
      ["the same hours on a Saturday", "2026-01-03T02:00:00Z", false],
    ];
    for (const [label, iso, refused] of cases) {
      it(`${refused ? "refuses" : "allows"} a deploy ${label} (${iso})`, async () => {
        expect(await refusedAt(iso)).to.equal(refused);
      });
    }
  });

  describe("DST in Europe/London", () => {
    // 2026-03-29: clocks go forward at 01:00 GMT; 01:00 local does not exist, so the window opens at the
    // first instant after the gap (02:00 BST = 01:00Z) and ends at 04:00 BST = 03:00Z: two real hours.
    const spring: [string, boolean][] = [
      ["2026-03-29T00:59:00Z", false],
      ["2026-03-29T01:00:00Z", true],
      ["2026-03-29T02:59:59Z", true],
      ["2026-03-29T03:00:00Z", false],
    ];
    for (const [iso, refused] of spring) {
      it(`on the spring-forward Sunday ${refused ? "refuses" : "allows"} ${iso}`, async () => {
        expect(await refusedAt(iso)).to.equal(refused);
      });
    }

    // 2026-10-25: clocks go back at 02:00 BST; 01:00 local happens twice and the window opens at the first
    // (01:00 BST = 00:00Z), then runs to 04:00 GMT = 04:00Z: four real hours.
    const autumn: [string, boolean][] = [
      ["2026-10-24T23:59:59Z", false],
      ["2026-10-25T00:00:00Z", true],
      ["2026-10-25T01:30:00Z", true],
      ["2026-10-25T03:59:59Z", true],
      ["2026-10-25T04:00:00Z", false],
    ];
    for (const [iso, refused] of autumn) {
      it(`on the fall-back Sunday ${refused ? "refuses" : "allows"} ${iso}`, async () => {
        expect(await refusedAt(iso)).to.equal(refused);
      });
    }

    it("names the local time with its offset, so the two 01:30s of the fall-back night are told apart", async () => {
      const [first] = await verdict(at("2026-10-25T00:30:00Z"));
      const [second] = await verdict(at("2026-10-25T01:30:00Z"));
      expect(first!.message).to.include("(Sun 2026-10-25 01:30 GMT+1; clock: test)");
      expect(second!.message).to.include("(Sun 2026-10-25 01:30 GMT; clock: test)");
      expect(second!.message).to.include("refused until 2026-10-25T04:00:00Z (Sun 2026-10-25 04:00 GMT)");
    });
  });

  describe("a window that crosses midnight (Sydney, Wednesday 23:00–01:00)", () => {
    const cases: [string, boolean][] = [
      ["2026-01-07T11:59:00Z", false], // Wed 22:59 AEDT
      ["2026-01-07T12:00:00Z", true], // Wed 23:00 AEDT
      ["2026-01-07T13:30:00Z", true], // Thu 00:30 AEDT
      ["2026-01-07T14:00:00Z", false], // Thu 01:00 AEDT
    ];
    for (const [iso, refused] of cases) {
      it(`${refused ? "refuses" : "allows"} ${iso}`, async () => {
        expect(await refusedAt(iso, SYDNEY)).to.equal(refused);
      });
    }
  });

  it("judges each provider by its own windows", async () => {
    const a = pipeline();
    const b = pipeline(SYDNEY);
    const violations = await verdict(at("2026-01-07T12:30:00Z"), [...a.all, ...b.all]);
    expect(violations.map((v) => v.urn)).to.deep.equal([b.stream.urn, b.worker.urn, b.mapping.urn]);
  });

  it("refuses a disabled provider's pipeline too (every pipeline in the program counts as touched)", async () => {
    const disabled = provider({ ...(JSON.parse(serializeProvider(SYDNEY)) as ProviderInput), enabled: false });
    const p = pipeline(disabled);
    expect(p.mapping.inputs.enabled).to.equal(false);
    expect(await verdict(at("2026-01-07T12:30:00Z"), p.all)).to.have.length(3);
  });

  it("never judges a provider with no maintenance window", async () => {
    const always = provider({ id: "demo", maxConcurrency: 10, maxFanOut: 10 });
    expect(await verdict(at("2026-01-04T02:00:00Z"), pipeline(always).all)).to.deep.equal([]);
  });

  describe("emergency override", () => {
    const override = { override: { providers: ["acme"], reason: "INC-4711: stale prices, vendor agreed" } };

    it("turns the refusal into an advisory that carries the reason", async () => {
      const violations = await verdict(at("2026-01-04T02:00:00Z"), pipeline().all, override);
      expect(violations).to.have.length(3);
      expect(violations.every((v) => v.level === "advisory")).to.equal(true);
      expect(violations[0]!.message).to.match(/^provider "acme" is inside its maintenance window .*; OVERRIDDEN by policy config: INC-4711: stale prices, vendor agreed$/);
    });

    it("covers only the providers it lists", async () => {
      const violations = await verdict(at("2026-01-07T12:30:00Z"), [...pipeline().all, ...pipeline(SYDNEY).all], override);
      expect(violations.map((v) => v.level)).to.deep.equal(["mandatory", "mandatory", "mandatory"]);
    });

    it("needs a reason", async () => {
      let error: unknown;
      try {
        await verdict(at("2026-01-04T02:00:00Z"), pipeline().all, { override: { providers: ["acme"], reason: "  " } });
      } catch (err) {
        error = err;
      }
      expect(error).to.be.instanceOf(PolicyConfigError);
      expect((error as Error).message).to.match(/^policy sluice-maintenance-window: override\.reason: /);
    });
  });

  describe("the clock", () => {
    it("takes config now over the pack's clock, and says so", async () => {
      const [v] = await verdict(at("2026-01-06T12:00:00Z"), pipeline().all, { now: "2026-01-04T02:00:00Z" });
      expect(v!.message).to.include("at 2026-01-04T02:00:00Z (Sun 2026-01-04 02:00 GMT; clock: policy config now)");
    });

    it("reads SLUICE_POLICY_NOW when set, else the wall clock, at each check", async () => {
      const env: NodeJS.ProcessEnv = { [NOW_ENV]: "2026-01-04T03:00:00+01:00" };
      const clock = defaultPolicyClock(env, () => Date.parse("2026-01-06T12:00:00Z"));
      const [v] = await verdict(clock);
      expect(v!.message).to.include("clock: SLUICE_POLICY_NOW");
      delete env[NOW_ENV];
      expect(await verdict(clock)).to.deep.equal([]);
      expect(clock().source).to.equal("wall clock");
    });

    it("rejects a config now without a zone", async () => {
      let error: unknown;
      try {
        await verdict(fixedClock(0, "test"), pipeline().all, { now: "2026-01-04T02:00:00" });
      } catch (err) {
        error = err;
      }
      expect((error as Error).message).to.match(/^now "2026-01-04T02:00:00" is not an ISO 8601 instant with a zone/);
    });
  });

  describe("where it applies", () => {
    it("is not applicable to the ventilator, the table or resources outside a pipeline", async () => {
      const p = pipeline();
      const loose = resource(TYPE.STREAM, "someone-elses-stream", { shardCount: 1 });
      const table = resource(TYPE.TABLE, "acme-ledger", { tags: providerTags(ACME) }, { parent: p.component });
      const result = await check(maintenanceWindowPolicy(at("2026-01-04T02:00:00Z")), [p.ventilator, loose, table]);
      expect(result.violations).to.deep.equal([]);
      expect(result.notApplicable.map((n) => n.urn)).to.deep.equal([p.ventilator.urn, loose.urn, table.urn]);
    });

    it("also checks any other pipeline resource that carries the windows", async () => {
      const p = pipeline();
      const logs = resource(TYPE.LOG_GROUP, "acme-worker-logs", { retentionInDays: 30, tags: contractTags(ACME) }, { parent: p.component });
      expect((await verdict(at("2026-01-04T02:00:00Z"), [logs])).map((v) => v.urn)).to.deep.equal([logs.urn]);
    });

    it("refuses a stream whose windows cannot be read (fail closed)", async () => {
      const tags = { ...contractTags(ACME), [TAG.MAINTENANCE_WINDOWS]: "sunday 1am" };
      const p = pipeline(ACME, { contract: tags });
      const violations = await verdict(at("2026-01-06T12:00:00Z"), [p.stream]);
      expect(violations.map((v) => v.message)).to.deep.equal([
        `cannot tell whether this pipeline's provider is in a maintenance window: tag sluice/maintenanceWindows value "sunday 1am" has an entry "sunday 1am" that is not "<day> HH.MM-HH.MM"`,
      ]);
    });

    it("hands the policy its config through getConfig, without enforcementLevel", () => {
      const args = resourceArgs(pipeline().stream, { now: "2026-01-04T02:00:00Z" });
      expect(args.getConfig()).to.deep.equal({ now: "2026-01-04T02:00:00Z" });
      expect(() => args.notApplicable("why")).to.throw("why");
    });
  });
});
