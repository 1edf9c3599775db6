import { expect } from "chai";
import fc from "fast-check";
import { TAG, contractTags } from "../../components/tags";
import { VENTILATOR_ENV } from "../../runtime/lambda-env";
import { serializeProvider } from "../../runtime/catalog/provider";
import { PolicyConfigError } from "../../policies/config";
import { CONCURRENCY_CAP, checkPipelineConcurrency, concurrencyCapPolicy } from "../../policies/concurrency-cap";
import { groupPipelines } from "../../policies/pipeline";
import { ACME, check, pipeline, provider, stackArgs, UNKNOWN, type Pipeline } from "./harness";

const policy = concurrencyCapPolicy();
const run = (p: Pipeline | Pipeline["all"], config?: Record<string, unknown>) =>
  check(policy, Array.isArray(p) ? p : p.all, config ? { config } : {});

describe("policies/concurrency-cap", () => {
  it("is a mandatory stack policy", () => {
    expect(policy.name).to.equal(CONCURRENCY_CAP);
    expect(policy.enforcementLevel).to.equal("mandatory");
    expect("validateStack" in policy).to.equal(true);
  });

  it("passes a pipeline built as the component builds it", async () => {
    const result = await run(pipeline());
    expect(result.violations).to.deep.equal([]);
  });

  it("passes a refreshed stack whose mapping batch size the controller raised to 4 000: records per invocation are not calls in flight", async () => {
    for (const batchSize of [4_000, 10_000, undefined]) {
      expect((await run(pipeline(ACME, { mapping: { batchSize } }))).violations, String(batchSize)).to.deep.equal([]);
    }
  });

  it("counts the AWS default factor when the mapping leaves it unset", async () => {
    const wide = provider({ id: "acme", maxConcurrency: 8, maxFanOut: 8 });
    const p = pipeline(wide, { mapping: { parallelizationFactor: undefined }, stream: { shardCount: 2 }, ventilator: { reservedConcurrentExecutions: 3 } });
    const [v] = (await run(p)).violations;
    expect(v?.message).to.equal(`provider "acme": shards 2 × parallelization factor 1 × the ventilator's maxFanOut (SLUICE_PROVIDER) 8 = 16 calls in flight, above the provider's cap 8 (maxConcurrency)`);
  });

  it("refuses a ventilator whose SLUICE_PROVIDER allows a larger fan-out than the tags' cap (a ventilator from another catalog)", async () => {
    const bigger = provider({ id: "acme", maxConcurrency: 16, maxFanOut: 8, parallelizationFactor: 2 });
    const p = pipeline(ACME, { ventilator: { environment: { variables: { [VENTILATOR_ENV.PROVIDER]: serializeProvider(bigger) } } } });
    const result = await run(p);
    expect(result.violations.map((v) => [v.message, v.urn])).to.deep.equal([
      [`provider "acme": shards 1 × parallelization factor 2 × the ventilator's maxFanOut (SLUICE_PROVIDER) 8 = 16 calls in flight, above the provider's cap 8 (maxConcurrency)`, p.ventilator.urn],
    ]);
  });

  it("takes the tags' maxFanOut while the ventilator's environment is unknown (a preview of a new pipeline)", async () => {
    const tags = { ...contractTags(ACME), [TAG.MAX_FAN_OUT]: "5" };
    const p = pipeline(ACME, { contract: tags, ventilator: { environment: UNKNOWN.object } });
    const result = await run(p);
    expect(result.violations.map((v) => v.message)).to.deep.equal([
      `provider "acme": shards 1 × parallelization factor 2 × maxFanOut (sluice/maxFanOut tag) 5 = 10 calls in flight, above the provider's cap 8 (maxConcurrency)`,
    ]);
  });

  it("passes a preview of a new pipeline whose environment is unknown but whose tags fit", async () => {
    const p = pipeline(ACME, { ventilator: { environment: { variables: UNKNOWN.object } } });
    expect((await run(p)).violations).to.deep.equal([]);
  });

  it("reports an unparseable SLUICE_PROVIDER on the ventilator", async () => {
    const p = pipeline(ACME, { ventilator: { environment: { variables: { [VENTILATOR_ENV.PROVIDER]: '{"id":"acme"' } } } });
    const [v] = (await run(p)).violations;
    expect(v?.message).to.match(/^provider "acme": the ventilator's SLUICE_PROVIDER is not a valid catalog entry, so its maxFanOut is unknown: SLUICE_PROVIDER is not JSON/);
    expect(v?.urn).to.equal(p.ventilator.urn);
  });

  describe("the worker's reserved concurrency", () => {
    const cases: [string, unknown, string | null][] = [
      ["at the cap", 8, null],
      ["below the cap", 3, null],
      ["zero (the worker switched off)", 0, null],
      ["above the cap", 9, `provider "acme": the worker's reserved concurrency 9 is above the provider's cap 8 (maxConcurrency)`],
      ["unset", undefined, `provider "acme": the worker has no reserved concurrency, so nothing on the AWS side holds it to the provider's cap 8 (maxConcurrency)`],
      ["unreserved as AWS reports it (-1)", -1, `provider "acme": the worker has no reserved concurrency, so nothing on the AWS side holds it to the provider's cap 8 (maxConcurrency)`],
    ];
    for (const [label, value, expected] of cases) {
      it(`${expected ? "refuses" : "accepts"} a worker reserved concurrency ${label}`, async () => {
        const p = pipeline(ACME, { worker: { reservedConcurrentExecutions: value } });
        const result = await run(p);
        expect(result.violations.map((v) => [v.message, v.urn])).to.deep.equal(expected ? [[expected, p.worker.urn]] : []);
      });
    }
  });

  describe("the ventilator's reserved concurrency: one slot per batch in flight and one for the re-arm tick", () => {
    it("accepts shards × factor + 1", async () => {
      expect((await run(pipeline(ACME, { ventilator: { reservedConcurrentExecutions: 3 } }))).violations).to.deep.equal([]);
    });

    it("refuses shards × factor alone: a tick could throttle a batch", async () => {
      const p = pipeline(ACME, { ventilator: { reservedConcurrentExecutions: 2 } });
      expect((await run(p)).violations.map((v) => [v.message, v.urn])).to.deep.equal([
        [`provider "acme": the ventilator's reserved concurrency 2 is below shards 1 × parallelization factor 2 + 1 for the re-arm tick = 3: a re-arm tick can throttle a batch`, p.ventilator.urn],
      ]);
    });

    it("refuses more than it needs", async () => {
      const p = pipeline(ACME, { ventilator: { reservedConcurrentExecutions: 4 } });
      expect((await run(p)).violations.map((v) => v.message)).to.deep.equal([
        `provider "acme": the ventilator's reserved concurrency 4 is above shards 1 × parallelization factor 2 + 1 for the re-arm tick = 3`,
      ]);
    });

    it("refuses none at all", async () => {
      const p = pipeline(ACME, { ventilator: { reservedConcurrentExecutions: undefined } });
      expect((await run(p)).violations.map((v) => v.message)).to.deep.equal([
        `provider "acme": the ventilator has no reserved concurrency; it needs one invocation per batch in flight and one for the re-arm tick, shards 1 × parallelization factor 2 + 1 for the re-arm tick = 3`,
      ]);
    });

    it("refuses a tick Lambda would retry into a second slot, with or without an invoke config", async () => {
      const retried = pipeline(ACME, { tickConfig: { maximumRetryAttempts: 2 } });
      expect((await run(retried)).violations.map((v) => [v.message, v.urn])).to.deep.equal([
        [
          `provider "acme": the ventilator's asynchronous invocations (the re-arm tick) are retried 2 times: a retried tick takes a second slot; set maximumRetryAttempts 0, the next tick comes anyway`,
          retried.tickConfig!.urn,
        ],
      ]);
      const none = pipeline(ACME, { tickConfig: null });
      expect((await run(none)).violations.map((v) => [v.message, v.urn])).to.deep.equal([
        [
          `provider "acme": the ventilator's asynchronous invocations (the re-arm tick) are retried 2 times (no FunctionEventInvokeConfig): a retried tick takes a second slot; set maximumRetryAttempts 0, the next tick comes anyway`,
          none.ventilator.urn,
        ],
      ]);
    });

    it("follows the stream's real shard count, not the tags' concurrentBatches", async () => {
      const p = pipeline(ACME, { stream: { shardCount: 2 } });
      expect((await run(p)).violations.map((v) => v.message)).to.deep.equal([
        `provider "acme": shards 2 × parallelization factor 2 × the ventilator's maxFanOut (SLUICE_PROVIDER) 4 = 16 calls in flight, above the provider's cap 8 (maxConcurrency)`,
        `provider "acme": the ventilator's reserved concurrency 3 is below shards 2 × parallelization factor 2 + 1 for the re-arm tick = 5: a re-arm tick can throttle a batch`,
      ]);
    });

    it("agrees with the component's sizing for any shards, factor and fan-out (property)", async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 6 }), async (shardCount, parallelizationFactor, maxFanOut) => {
          const p = provider({ id: "acme", shardCount, parallelizationFactor, maxFanOut, maxConcurrency: shardCount * parallelizationFactor * maxFanOut });
          expect((await run(pipeline(p))).violations).to.deep.equal([]);
        }),
        { numRuns: 40 },
      );
    });
  });

  describe("config caps", () => {
    it("tightens a provider's cap without touching the catalog", async () => {
      const p = pipeline();
      const result = await run(p, { caps: { acme: 6 } });
      const capText = "the cap 6 (policy config caps, tighter than the contract's 8)";
      expect(result.violations.map((v) => [v.message, v.urn])).to.deep.equal([
        [`provider "acme": shards 1 × parallelization factor 2 × the ventilator's maxFanOut (SLUICE_PROVIDER) 4 = 8 calls in flight, above ${capText}`, p.ventilator.urn],
        [`provider "acme": the worker's reserved concurrency 8 is above ${capText}`, p.worker.urn],
      ]);
      expect(result.violations.every((v) => v.level === "mandatory")).to.equal(true);
    });

    it("passes a pipeline that already fits the tightened cap", async () => {
      const small = provider({ id: "acme", maxConcurrency: 8, maxFanOut: 3, parallelizationFactor: 2 });
      const p = pipeline(small, { worker: { reservedConcurrentExecutions: 6 } });
      expect((await run(p, { caps: { acme: 6 } })).violations).to.deep.equal([]);
    });

    it("never loosens: a configured cap above the contract's changes nothing", async () => {
      const p = pipeline(ACME, { stream: { shardCount: 2 }, ventilator: { reservedConcurrentExecutions: 5 } });
      const loose = await run(p, { caps: { acme: 20 } });
      const none = await run(p);
      expect(loose.violations).to.deep.equal(none.violations);
      expect(loose.violations).to.have.length(1);
    });

    it("leaves other providers alone", async () => {
      expect((await run(pipeline(), { caps: { "other-provider": 1 } })).violations).to.deep.equal([]);
    });

    it("rejects a cap that is not a positive whole number, naming the policy and the field", async () => {
      let error: unknown;
      try {
        await run(pipeline(), { caps: { acme: 0 } });
      } catch (err) {
        error = err;
      }
      expect(error).to.be.instanceOf(PolicyConfigError);
      expect((error as Error).message).to.match(/^policy sluice-concurrency-cap: caps\.acme: /);
    });

    it("exposes its settings as the JSON Schema Pulumi validates --policy-pack-config with", () => {
      expect(policy.configSchema?.properties.caps).to.deep.include({ type: "object" });
    });
  });

  describe("a pipeline whose contract cannot be read", () => {
    it("is refused rather than passed", async () => {
      const tags = { ...contractTags(ACME) } as Record<string, string>;
      delete tags[TAG.MAX_CONCURRENCY];
      const p = pipeline(ACME, { contract: tags });
      expect((await run(p)).violations.map((v) => [v.message, v.urn])).to.deep.equal([
        [`provider "acme": cannot tell its concurrency cap: tag sluice/maxConcurrency is missing`, p.component.urn],
      ]);
    });
  });

  it("warns (advisory) when the shard count is not known yet", async () => {
    const p = pipeline(ACME, { stream: { shardCount: UNKNOWN.number } });
    const result = await run(p);
    expect(result.violations.map((v) => [v.level, v.message])).to.deep.equal([
      ["advisory", `provider "acme": the stream's shards or the mapping's parallelization factor are not known yet; the cap is checked at the update`],
    ]);
  });

  it("refuses an on-demand stream, whose shards are not bounded", async () => {
    const p = pipeline(ACME, { stream: { shardCount: undefined, streamModeDetails: { streamMode: "ON_DEMAND" } } });
    expect((await run(p)).violations.map((v) => v.message)).to.deep.equal([`provider "acme": its stream sets no shardCount (on-demand), so the batches in flight are not bounded`]);
  });

  it("checks each pipeline of a stack on its own", async () => {
    const other = provider({ id: "other", maxConcurrency: 2, maxFanOut: 2 });
    const a = pipeline();
    const b = pipeline(other, { worker: { reservedConcurrentExecutions: 3 } });
    const result = await run([...a.all, ...b.all]);
    expect(result.violations.map((v) => v.urn)).to.deep.equal([b.worker.urn]);
  });

  it("judges the fan-out limit's ceiling whatever the mapping batch size (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 400 }),
        fc.option(fc.integer({ min: 1, max: 400 }), { nil: undefined }),
        (shards, factor, maxFanOut, batchSize, cap, configured) => {
          const p = pipeline(provider({ id: "acme", maxConcurrency: 400, maxFanOut, parallelizationFactor: 1 }), {
            stream: { shardCount: shards },
            mapping: { batchSize, parallelizationFactor: factor },
            worker: { reservedConcurrentExecutions: 1 },
            contract: { ...contractTags(ACME), [TAG.MAX_CONCURRENCY]: String(cap) },
          });
          const effective = Math.min(cap, configured ?? Number.POSITIVE_INFINITY);
          const [group] = groupPipelines(stackArgs(p.all).resources);
          const findings = checkPipelineConcurrency(group!, configured ? { caps: { acme: configured } } : {});
          const fanOut = findings.some((f) => f.message.includes("calls in flight"));
          return fanOut === shards * factor * maxFanOut > effective;
        },
      ),
      { numRuns: 300 },
    );
  });
});
