import { expect } from "chai";
import { PROVIDER_PIPELINE_TYPE } from "../../components/provider-pipeline";
import { providerTags } from "../../components/tags";
import { childOfPipeline, groupPipelines, inPipeline, parseUrn, roleOf } from "../../policies/pipeline";
import { TYPE } from "../../policies/resource-types";
import { ACME, pipeline, provider, resource, stackArgs } from "./harness";

describe("policies/pipeline", () => {
  it("knows the component's type token", () => {
    expect(TYPE.PIPELINE).to.equal(PROVIDER_PIPELINE_TYPE);
  });

  it("parses URNs, names with '::' included", () => {
    expect(parseUrn("urn:pulumi:dev::sluice::sluice:index:ProviderPipeline$aws:kinesis/stream:Stream::acme-stream")).to.deep.equal({
      stack: "dev",
      project: "sluice",
      typeChain: ["sluice:index:ProviderPipeline", "aws:kinesis/stream:Stream"],
      name: "acme-stream",
    });
    expect(parseUrn("urn:pulumi:dev::sluice::aws:s3/bucket:Bucket::odd::name").name).to.equal("odd::name");
    expect(() => parseUrn("arn:aws:s3:::x")).to.throw(RangeError, /not a Pulumi URN/);
  });

  it("tells pipeline resources by parent type or provider tag", () => {
    const p = pipeline();
    expect(childOfPipeline(p.stream.urn)).to.equal(true);
    expect(childOfPipeline(p.component.urn)).to.equal(false);
    const tagged = resource(TYPE.STREAM, "hand-made", { tags: providerTags(ACME) });
    const loose = resource(TYPE.STREAM, "other", { tags: { team: "x" } });
    const [t, l, c] = stackArgs([tagged, loose, p.component]).resources;
    expect([inPipeline(t!), inPipeline(l!), inPipeline(c!)]).to.deep.equal([true, false, false]);
  });

  it("gives each resource its role in the pipeline", () => {
    const p = pipeline();
    expect([p.stream, p.mapping, p.worker, p.ventilator, p.component].map(roleOf)).to.deep.equal(["stream", "mapping", "worker", "ventilator", "other"]);
  });

  it("groups a stack by pipeline: by parent component, else by provider tag", () => {
    const a = pipeline();
    const b = pipeline(provider({ id: "beta", maxConcurrency: 2 }));
    const tagged = resource(TYPE.TABLE, "gamma-ledger", { tags: { "sluice/provider": "gamma" } });
    const bucket = resource("aws:s3/bucket:Bucket", "landing", {});
    const groups = groupPipelines(stackArgs([...a.all, ...b.all, tagged, bucket]).resources);
    const row = (g: (typeof groups)[number]) => [g.provider, g.members.length, g.stream?.name, g.mapping?.name, g.worker?.name, g.ventilator?.name, g.tickConfig?.name, g.component?.name];
    expect(groups.map(row)).to.deep.equal([
      ["acme", 5, "acme-stream", "acme-mapping", "acme-worker", "acme-ventilator", "acme-rearm-invoke-config", "acme"],
      ["beta", 5, "beta-stream", "beta-mapping", "beta-worker", "beta-ventilator", "beta-rearm-invoke-config", "beta"],
      ["gamma", 1, undefined, undefined, undefined, undefined, undefined, undefined],
    ]);
  });
});
