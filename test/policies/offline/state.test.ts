import { expect } from "chai";
import { parseStackExport, propertyPath, StackStateError, stackExport, withStateValues } from "../../../policies/offline/state";
import { TYPE } from "../../../policies/resource-types";
import { pipeline } from "../harness";

describe("policies/offline/state", () => {
  it("reads ignoreChanges property paths", () => {
    expect(propertyPath("batchSize")).to.deep.equal(["batchSize"]);
    expect(propertyPath("tags.owner")).to.deep.equal(["tags", "owner"]);
    expect(propertyPath('a[0].b["c.d"]')).to.deep.equal(["a", 0, "b", "c.d"]);
  });

  it("lays the state's values over the ignored properties only, inputs and outputs, and counts what it matched", () => {
    const p = pipeline();
    const state = stackExport(p.all, { project: "sluice", stack: "dev" });
    const mapping = state.deployment.resources!.find((r) => r.type === TYPE.MAPPING)!;
    mapping.inputs = { ...mapping.inputs, batchSize: 4_000, enabled: false, parallelizationFactor: 9 };
    mapping.outputs = { ...mapping.outputs, batchSize: 4_000, enabled: false, parallelizationFactor: 9 };
    const fresh = pipeline(undefined, { mapping: { batchSize: 4 } });
    const extra = pipeline(undefined, {}).stream;
    const out = withStateValues([...fresh.all, { ...extra, urn: `${extra.urn}-new` }], state);
    const laid = out.registrations.find((r) => r.type === TYPE.MAPPING)!;
    expect(laid.inputs).to.include({ batchSize: 4_000, enabled: false, parallelizationFactor: 2 });
    expect(laid.outputs).to.include({ batchSize: 4_000, enabled: false, parallelizationFactor: 2 });
    expect(fresh.mapping.inputs.batchSize, "the program's registration is left as it was").to.equal(4);
    expect(out.matched).to.equal(fresh.all.length);
    expect(out.carried.map((c) => [c.path, c.value])).to.deep.equal([
      ["batchSize", 4_000],
      ["enabled", false],
    ]);
  });

  it("takes the output when the state recorded no input for an ignored property", () => {
    const p = pipeline();
    const state = stackExport(p.all, { project: "sluice", stack: "dev" });
    const mapping = state.deployment.resources!.find((r) => r.type === TYPE.MAPPING)!;
    delete mapping.inputs!.batchSize;
    mapping.outputs = { ...mapping.outputs, batchSize: 250 };
    const laid = withStateValues(p.all, state).registrations.find((r) => r.type === TYPE.MAPPING)!;
    expect(laid.inputs.batchSize).to.equal(250);
  });

  it("refuses what is not a stack export, naming the file and the field", () => {
    expect(() => parseStackExport({ deployment: {} }, "x.json")).to.throw(StackStateError, /^x\.json: not a `pulumi stack export` document: version: /);
    expect(() => parseStackExport({ version: 3, deployment: { resources: [{ urn: 1 }] } }, "y.json")).to.throw(StackStateError, /deployment\.resources\.0\.urn/);
    expect(parseStackExport({ version: 3, deployment: { resources: null } }, "empty.json").deployment.resources).to.equal(null);
  });
});
