import { expect } from "chai";
import fc from "fast-check";
import { accountBudget, AWS_UNRESERVED_MINIMUM, budgetProblem, budgetSummary, catalogBudget, providerReservation } from "../../components/account-budget";
import { ventilatorReservedConcurrency, workerReservedConcurrency } from "../../components/sizing";
import { validateCatalog } from "../../runtime/catalog/validate";
import { generatedCatalog, generatedProviderId } from "../fixtures/generated-catalog";

describe("components/account-budget", () => {
  it("counts each provider's worker cap and its ventilator's batches and tick", () => {
    const p = { maxConcurrency: 8, concurrentBatches: 2 };
    expect(providerReservation(p)).to.equal(8 + 2 + 1).and.to.equal(workerReservedConcurrency(p) + ventilatorReservedConcurrency(p));
  });

  it("fits when the sum leaves AWS its 100 unreserved executions, to the unit", () => {
    expect(budgetProblem(accountBudget([{ name: "a", reserved: 900 }], 1_000), "x")).to.equal(undefined);
    expect(budgetProblem(accountBudget([{ name: "a", reserved: 901 }], 1_000), "x")).to.be.a("string");
    expect(accountBudget([], 10).reservable, "a new account of 10 can reserve nothing").to.equal(0);
  });

  it("says it in one line naming the sum, the reservable share and the largest providers", () => {
    const budget = accountBudget(
      [
        { name: "small", reserved: 3 },
        { name: "huge", reserved: 700 },
        { name: "big", reserved: 250 },
      ],
      1_000,
    );
    expect(budgetProblem(budget, "sluice:accountConcurrencyLimit 1000")).to.equal(
      "reserved concurrency 953 across 3 providers exceeds the 900 the account can reserve (sluice:accountConcurrencyLimit 1000 − 100 AWS keeps unreserved); largest: huge 700, big 250, small 3",
    );
    expect(budgetSummary(accountBudget([{ name: "a", reserved: 25 }], 1_000), "sluice:accountConcurrencyLimit 1000")).to.equal(
      "reserved concurrency 25 of the 900 the account can reserve (sluice:accountConcurrencyLimit 1000 − 100 unreserved)",
    );
  });

  it("names the five largest of a 200-provider catalog and counts the rest", () => {
    const { providers } = validateCatalog(generatedCatalog(), "generated");
    const budget = catalogBudget(providers, 1_000);
    const line = budgetProblem(budget, "sluice:accountConcurrencyLimit 1000")!;
    expect(line.split("\n")).to.have.length(1);
    expect(line).to.match(/^reserved concurrency [\d,]+ across 200 providers exceeds the 900 /);
    expect(line).to.match(/largest: (provider-\d{3} \d+, ){4}provider-\d{3} \d+ and 195 more$/);
    const largest = Math.max(...budget.consumers.map((c) => c.reserved));
    expect(line).to.include(`largest: ${budget.consumers[0]!.name} ${largest},`);
    expect(budget.consumers.map((c) => c.name)).to.include(generatedProviderId(199));
  });

  it("the verdict is exactly Σ reserved ≤ limit − 100 (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 500 }), { maxLength: 30 }), fc.integer({ min: 1, max: 20_000 }), (reserved, limit) => {
        const budget = accountBudget(reserved.map((r, i) => ({ name: `p${i}`, reserved: r })), limit);
        const sum = reserved.reduce((a, b) => a + b, 0);
        expect(budget.reserved).to.equal(sum);
        expect(budgetProblem(budget, "x") === undefined).to.equal(sum <= Math.max(0, limit - AWS_UNRESERVED_MINIMUM));
      }),
    );
  });
});
