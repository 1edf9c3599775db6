/**
 * The pack on what the real program registers: index.ts's program under
 * Pulumi's mocks (policies/offline/pulumi-mocks.ts, the runner test/components uses),
 * judged as the engine would judge it.
 */
import { expect } from "chai";
import { TAG } from "../../components/tags";
import { fixedClock } from "../../policies/clock";
import { CONTRACT_DECLARED } from "../../policies/contract-declared";
import { MAINTENANCE_WINDOW } from "../../policies/maintenance-window";
import { checkProgram, type ProgramCheck } from "../../policies/offline/check-program";
import { sluicePolicies } from "../../policies/pack";
import { STREAM_RETENTION } from "../../policies/stream-retention";
import type { EngineResource } from "../../policies/offline/pulumi-mocks";

const CI = fixedClock(Date.parse("2026-01-06T12:00:00Z"), "--at");
const summary = (c: ProgramCheck) => c.analysis.diagnostics.map((d) => `${d.enforcementLevel} ${d.policyName} ${d.urn?.split("::").at(-1) ?? "(stack)"}`);

describe("policies on the real program", function () {
  this.timeout(60_000);

  let shipped: ProgramCheck;
  before(async () => {
    shipped = await checkProgram({ catalogPath: "providers.json", stack: "dev", clock: CI });
  });

  it("registers every pipeline of the shipped catalog", () => {
    expect(shipped.pipelines).to.deep.equal(["demo", "meridian-funds", "pacific-registry"]);
    expect(shipped.registrations).to.have.length(76);
  });

  it("finds nothing to report, mandatory or advisory, at the CI instant", () => {
    expect(summary(shipped)).to.deep.equal([]);
  });

  it("applies every resource policy somewhere: each one saw at least one resource it judges", () => {
    const resourcePolicies = sluicePolicies({ clock: CI }).filter((p) => "validateResource" in p).map((p) => p.name);
    const resources = shipped.registrations.length;
    for (const name of resourcePolicies) {
      const skipped = shipped.analysis.notApplicable.filter((n) => n.policyName === name).length;
      expect(skipped, name).to.be.below(resources);
    }
  });

  it("refuses only pacific-registry's pipeline in its Wednesday-night Sydney maintenance, disabled as it is", async () => {
    const check = await checkProgram({ catalogPath: "providers.json", stack: "dev", clock: fixedClock(Date.parse("2026-01-07T12:30:00Z"), "--at") });
    expect(summary(check)).to.deep.equal([
      `mandatory ${MAINTENANCE_WINDOW} pacific-registry-stream`,
      `mandatory ${MAINTENANCE_WINDOW} pacific-registry-worker`,
      `mandatory ${MAINTENANCE_WINDOW} pacific-registry-mapping`,
    ]);
  });

  it("fails closed on a stream stripped of its contract (a stack built by hand or by an older component)", async () => {
    const strip = (registrations: EngineResource[]) =>
      registrations.map((r) => {
        if (r.name !== "meridian-funds-stream") return r;
        const inputs = structuredClone(r.inputs) as { tags: Record<string, string> };
        inputs.tags = { [TAG.PROVIDER]: "meridian-funds" };
        return { ...r, inputs, outputs: { ...structuredClone(r.outputs), tags: inputs.tags } };
      });
    const check = await checkProgram({ catalogPath: "providers.json", stack: "dev", clock: CI, transform: strip });
    expect(summary(check)).to.deep.equal([
      `mandatory ${MAINTENANCE_WINDOW} meridian-funds-stream`,
      `mandatory ${STREAM_RETENTION} meridian-funds-stream`,
      `mandatory ${CONTRACT_DECLARED} meridian-funds-stream`,
    ]);
    expect(check.analysis.diagnostics[2]!.message).to.match(/the pipeline's stream does not declare the provider's contract: tag sluice\/maxConcurrency is missing$/);
  });
});
