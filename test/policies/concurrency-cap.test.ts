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

  it("refuses a mapping batch size that fans out past the cap, on the mapping", async () => {
    const p = pipeline(ACME, { mapping: { batchSize: 5 } });
    const result = await run(p);
    expect(result.violations).to.deep.equal([
      {
        policy: CONCURRENCY_CAP,
        level: "mandatory",
        message: `provider "acme": shards 1 × parallelization factor 2 × the mapping's batch size 5 = 10 calls in flight, above the provider's cap 8 (maxConcurrency)`,
        urn: p.mapping.urn,
      },
    ]);
  });

  it("counts the AWS defaults when the mapping leaves batch size and factor unset", async () => {
    const p = pipeline(ACME, { mapping: { batchSize: undefined, parallelizationFactor: undefined } });
    const [v] = (await run(p)).violations;
    expect(v?.message).to.include("shards 1 × parallelization factor 1 × the mapping's batch size 100 = 100 calls in flight");
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

  describe("the ventilator's reserved concurrency", () => {
    it("refuses more than shards × factor", async () => {
      const p = pipeline(ACME, { ventilator: { reservedConcurrentExecutions: 3 } });
      expect((await run(p)).violations.map((v) => [v.message, v.urn])).to.deep.equal([
        [`provider "acme": the ventilator's reserved concurrency 3 is above shards 1 × parallelization factor 2 = 2`, p.ventilator.urn],
      ]);
    });

    it("refuses none at all", async () => {
      const p = pipeline(ACME, { ventilator: { reservedConcurrentExecutions: undefined } });
      expect((await run(p)).violations.map((v) => v.message)).to.deep.equal([
        `provider "acme": the ventilator has no reserved concurrency; it needs one invocation per batch in flight, shards × factor = 2`,
      ]);
    });

    it("accepts fewer than shards × factor", async () => {
      expect((await run(pipeline(ACME, { ventilator: { reservedConcurrentExecutions: 1 } }))).violations).to.deep.equal([]);
    });

    it("follows the stream's real shard count, not the tags' concurrentBatches", async () => {
      const p = pipeline(ACME, { stream: { shardCount: 2 } });
      expect((await run(p)).violations.map((v) => v.message)).to.deep.equal([
        `provider "acme": shards 2 × parallelization factor 2 × the mapping's batch size 4 = 16 calls in flight, above the provider's cap 8 (maxConcurrency)`,
        `provider "acme": shards 2 × parallelization factor 2 × the ventilator's maxFanOut (SLUICE_PROVIDER) 4 = 16 calls in flight, above the provider's cap 8 (maxConcurrency)`,
      ]);
    });
  });

  describe("config caps", () => {
    it("tightens a provider's cap without touching the catalog", async () => {
      const p = pipeline();
      const result = await run(p, { caps: { acme: 6 } });
      const capText = "the cap 6 (policy config caps, tighter than the contract's 8)";
      expect(result.violations.map((v) => [v.message, v.urn])).to.deep.equal([
        [`provider "acme": shards 1 × parallelization factor 2 × the mapping's batch size 4 = 8 calls in flight, above ${capText}`, p.mapping.urn],
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
      const p = pipeline(ACME, { mapping: { batchSize: 5 } });
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
      ["advisory", `provider "acme": the stream's shards or the mapping's batch size are not known yet; the cap is checked at the update`],
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

  it("agrees with the formula for any sizes (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 400 }),
        fc.option(fc.integer({ min: 1, max: 400 }), { nil: undefined }),
        (shards, factor, batchSize, cap, configured) => {
          const p = pipeline(provider({ id: "acme", maxConcurrency: 400, maxFanOut: 1, parallelizationFactor: 1 }), {
            stream: { shardCount: shards },
            mapping: { batchSize, parallelizationFactor: factor },
            worker: { reservedConcurrentExecutions: 1 },
            ventilator: { reservedConcurrentExecutions: 1 },
            contract: { ...contractTags(ACME), [TAG.MAX_CONCURRENCY]: String(cap), [TAG.MAX_FAN_OUT]: "1" },
          });
          const effective = Math.min(cap, configured ?? Number.POSITIVE_INFINITY);
          const [group] = groupPipelines(stackArgs(p.all).resources);
          const findings = checkPipelineConcurrency(group!, configured ? { caps: { acme: configured } } : {});
          const fanOut = findings.some((f) => f.message.includes("the mapping's batch size"));
          return fanOut === shards * factor * batchSize > effective;
        },
      ),
      { numRuns: 300 },
    );
  });
});
