import { expect } from "chai";
import { TAG, contractTags } from "../../components/tags";
import { CONTRACT_DECLARED, contractDeclaredPolicy } from "../../policies/contract-declared";
import { TYPE } from "../../policies/resource-types";
import { ACME, check, pipeline, resource } from "./harness";

const policy = contractDeclaredPolicy();
const without = (tag: string) => {
  const tags: Record<string, string> = { ...contractTags(ACME) };
  delete tags[tag];
  return tags;
};

describe("policies/contract-declared", () => {
  it("is a mandatory resource policy", () => {
    expect(policy.name).to.equal(CONTRACT_DECLARED);
    expect(policy.enforcementLevel).to.equal("mandatory");
  });

  it("passes a pipeline whose stream, mapping and worker carry the contract", async () => {
    const result = await check(policy, pipeline().all);
    expect(result.violations).to.deep.equal([]);
    expect(result.notApplicable.map((n) => n.urn)).to.deep.equal([pipeline().component.urn, pipeline().ventilator.urn, pipeline().tickConfig!.urn]);
  });

  const broken: [string, Record<string, string>, string][] = [
    ["no tags at all", {}, "tag sluice/provider is missing"],
    ["no time zone", without(TAG.TIMEZONE), "tag sluice/timezone is missing"],
    ["no access windows", without(TAG.ACCESS_WINDOWS), "tag sluice/accessWindows is missing"],
    ["no maintenance windows", without(TAG.MAINTENANCE_WINDOWS), "tag sluice/maintenanceWindows is missing"],
    [
      "a time zone the clock does not know",
      { ...contractTags(ACME), [TAG.TIMEZONE]: "Europe/Atlantis" },
      `tag sluice/timezone value "Europe/Atlantis" is not a known IANA time zone`,
    ],
    [
      "windows written as JSON",
      { ...contractTags(ACME), [TAG.ACCESS_WINDOWS]: '[{"start":"20:00","end":"06:00"}]' },
      `tag sluice/accessWindows value "[{\\"start\\":\\"20:00\\",\\"end\\":\\"06:00\\"}]" has an entry "[{\\"start\\":\\"20:00\\",\\"end\\":\\"06:00\\"}]" that is not "<days> HH.MM-HH.MM"`,
    ],
    ["a cap that is not a number", { ...contractTags(ACME), [TAG.MAX_CONCURRENCY]: "eight" }, `tag sluice/maxConcurrency value "eight" is not a positive integer`],
  ];
  for (const [label, tags, problem] of broken) {
    it(`refuses a stream, mapping and worker with ${label}`, async () => {
      const p = pipeline(ACME, { contract: tags });
      const violations = (await check(policy, p.all)).violations;
      expect(violations.map((v) => [v.urn, v.message])).to.deep.equal([
        [p.stream.urn, `the pipeline's stream does not declare the provider's contract: ${problem}`],
        [p.worker.urn, `the pipeline's worker does not declare the provider's contract: ${problem}`],
        [p.mapping.urn, `the pipeline's mapping does not declare the provider's contract: ${problem}`],
      ]);
      expect(violations.every((v) => v.level === "mandatory")).to.equal(true);
    });
  }

  it("refuses a resource that declares another provider's contract than its pipeline's", async () => {
    const p = pipeline(ACME, { contract: { ...contractTags(ACME), [TAG.PROVIDER]: "someone-else" } });
    const [v] = (await check(policy, [p.stream])).violations;
    expect(v!.message).to.equal(`the stream of pipeline "acme" declares the contract of provider "someone-else"`);
  });

  it("is not applicable outside pipelines, nor to the ventilator or the table", async () => {
    const p = pipeline();
    const loose = resource(TYPE.FUNCTION, "reporting-worker", { reservedConcurrentExecutions: 1 });
    const table = resource(TYPE.TABLE, "acme-ledger", {}, { parent: p.component });
    const result = await check(policy, [loose, p.ventilator, table]);
    expect(result.violations).to.deep.equal([]);
    expect(result.notApplicable).to.have.length(3);
  });
});
