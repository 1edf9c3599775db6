/**
 * The generated 200-provider catalog (test/fixtures/generated-catalog.ts) end
 * to end without AWS: it validates, the real program registers every pipeline
 * under Pulumi's mocks (with the real bundles), and the pack passes it on an
 * account whose limit is large enough, and refuses it, naming the largest
 * providers, on one that is not. Its time and memory are a benchmark
 * (npm run bench:pulumi), not asserted here.
 */
import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { catalogBudget } from "../../components/account-budget";
import { PROVIDER_PIPELINE_TYPE } from "../../components/provider-pipeline";
import { ACCOUNT_CONCURRENCY } from "../../policies/account-concurrency";
import { fixedClock } from "../../policies/clock";
import { analyze } from "../../policies/offline/analyze";
import { checkProgram, stackTags, type ProgramCheck } from "../../policies/offline/check-program";
import { loadCatalog } from "../../runtime/catalog/load";
import { generatedCatalog, GENERATED_PROVIDERS, generatedProviderId } from "../fixtures/generated-catalog";

const CI = fixedClock(Date.parse("2026-01-06T12:00:00Z"), "--at");

describe("the 200-provider catalog", function () {
  this.timeout(180_000);
  let dir: string;
  let file: string;
  let check: ProgramCheck;
  let reserved: number;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "sluice-200-"));
    file = path.join(dir, "providers.json");
    writeFileSync(file, JSON.stringify(generatedCatalog()));
    reserved = catalogBudget(loadCatalog(file).providers, 1).reserved;
    // An account whose limit leaves exactly the 100 AWS keeps unreserved.
    check = await checkProgram({ catalogPath: file, stack: "prod", clock: CI, stackConfig: { "sluice:accountConcurrencyLimit": String(reserved + 100) } });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("validates, with one in ten providers disabled", () => {
    const catalog = loadCatalog(file);
    expect(catalog.providers).to.have.length(GENERATED_PROVIDERS);
    expect(catalog.providers.filter((p) => p.enabled)).to.have.length(180);
  });

  it("runs under mocks: every pipeline registered, with its 22 resources", () => {
    expect(check.pipelines).to.have.length(GENERATED_PROVIDERS);
    expect(check.run.resources.filter((r) => r.type === PROVIDER_PIPELINE_TYPE)).to.have.length(GENERATED_PROVIDERS);
    const children = check.registrations.filter((r) => r.parent?.includes(`${PROVIDER_PIPELINE_TYPE}::${generatedProviderId(7)}`));
    expect(children).to.have.length(22);
  });

  it("passes the pack on an account whose limit is large enough", () => {
    expect(check.analysis.diagnostics.map((d) => `${d.enforcementLevel} ${d.policyName}: ${d.message.split("\n").at(-1)}`)).to.deep.equal([]);
  });

  it("is refused on a smaller account, in one line naming the sum and the largest providers", async () => {
    const small = await analyze(check.pack, check.registrations, { stackTags: stackTags(), config: { [ACCOUNT_CONCURRENCY]: { properties: { accountConcurrencyLimit: 1_000 } } } });
    const refusals = small.diagnostics.filter((d) => d.enforcementLevel === "mandatory");
    expect(refusals.map((d) => d.policyName)).to.deep.equal([ACCOUNT_CONCURRENCY]);
    const line = refusals[0]!.message.split("\n")[1]!;
    expect(line).to.match(new RegExp(`^reserved concurrency ${reserved.toLocaleString("en-US")} across 200 providers exceeds the 900 the account can reserve \\(policy config accountConcurrencyLimit 1000 − 100 AWS keeps unreserved\\); largest: (provider-\\d{3} \\d+, ){4}provider-\\d{3} \\d+ and 195 more$`));
  });
});
