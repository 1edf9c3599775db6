import { expect } from "chai";
import { accountLimitTags, contractTags, providerTags } from "../../components/tags";
import { PolicyConfigError } from "../../policies/config";
import { ACCOUNT_CONCURRENCY, accountConcurrencyPolicy } from "../../policies/account-concurrency";
import { TYPE } from "../../policies/resource-types";
import { check, pipeline, provider, resource, type Pipeline } from "./harness";

const policy = accountConcurrencyPolicy();

/** A provider reserving 40 (worker) + 2 × 2 + 1 (ventilator) = 45, its functions tagged with the stack's limit. */
function big(id: string, limit?: number): Pipeline {
  const p = provider({ id, maxConcurrency: 40, maxFanOut: 10, shardCount: 2, parallelizationFactor: 2 });
  const tags = limit === undefined ? {} : accountLimitTags(limit);
  return pipeline(p, { worker: { tags: { ...contractTags(p), ...tags } }, ventilator: { tags: { ...providerTags(p), ...tags } } });
}

describe("policies/account-concurrency", () => {
  it("is a mandatory stack policy", () => {
    expect(policy.name).to.equal(ACCOUNT_CONCURRENCY);
    expect(policy.enforcementLevel).to.equal("mandatory");
  });

  it("passes a stack that leaves 100 unreserved under the stack's limit", async () => {
    const stack = Array.from({ length: 20 }, (_, i) => big(`p${String(i).padStart(2, "0")}`, 1_000).all).flat();
    expect((await check(policy, stack)).violations).to.deep.equal([]);
  });

  it("refuses one more provider with one line for the stack naming the sum and the largest providers", async () => {
    const stack = [...Array.from({ length: 20 }, (_, i) => big(`p${String(i).padStart(2, "0")}`, 1_000).all).flat(), ...big("zz-extra", 1_000).all];
    const result = await check(policy, stack);
    expect(result.violations).to.deep.equal([
      {
        policy: ACCOUNT_CONCURRENCY,
        level: "mandatory",
        message:
          "reserved concurrency 945 across 21 providers exceeds the 900 the account can reserve (sluice:accountConcurrencyLimit 1000 − 100 AWS keeps unreserved); largest: p00 45, p01 45, p02 45, p03 45, p04 45 and 16 more",
      },
    ]);
  });

  it("reads the limit from the functions' tags, and policy config only tightens it", async () => {
    const stack = Array.from({ length: 3 }, (_, i) => big(`p${i}`, 200).all).flat();
    expect((await check(policy, stack)).violations.map((v) => v.message)[0]).to.match(/^reserved concurrency 135 across 3 providers exceeds the 100 .*\(sluice:accountConcurrencyLimit 200 /);
    expect((await check(policy, stack, { config: { accountConcurrencyLimit: 5_000 } })).violations).to.have.length(1);
    const roomy = Array.from({ length: 3 }, (_, i) => big(`p${i}`, 5_000).all).flat();
    expect((await check(policy, roomy, { config: { accountConcurrencyLimit: 200 } })).violations.map((v) => v.message)[0]).to.include("(policy config accountConcurrencyLimit 200 − 100");
  });

  it("falls back to Lambda's default 1000 when nothing says, and counts functions outside any pipeline under their name", async () => {
    const stray = resource(TYPE.FUNCTION, "reporting", { name: "reporting", reservedConcurrentExecutions: 880 });
    const result = await check(policy, [...big("acme").all, stray]);
    expect(result.violations.map((v) => v.message)).to.deep.equal([
      "reserved concurrency 925 across 2 providers exceeds the 900 the account can reserve (Lambda's default account limit 1000 − 100 AWS keeps unreserved); largest: reporting 880, acme 45",
    ]);
  });

  it("counts nothing for unreserved functions (unset or -1)", async () => {
    const unreserved = [resource(TYPE.FUNCTION, "a", { reservedConcurrentExecutions: -1 }), resource(TYPE.FUNCTION, "b", {})];
    expect((await check(policy, unreserved, { config: { accountConcurrencyLimit: 100 } })).violations).to.deep.equal([]);
  });

  it("rejects a limit that is not a positive whole number, naming the policy and the field", async () => {
    let error: unknown;
    try {
      await check(policy, big("acme").all, { config: { accountConcurrencyLimit: 0 } });
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(PolicyConfigError);
    expect((error as Error).message).to.match(/^policy sluice-account-concurrency: accountConcurrencyLimit: /);
  });
});
