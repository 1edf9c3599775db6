import { expect } from "chai";
import type { Policy, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { analyze, normalizePackConfig, PolicyPackConfigError, PolicyRunError, type PackUnderTest } from "../../../policies/offline/analyze";
import { reportAtLevel } from "../../../policies/report";
import { TYPE } from "../../../policies/resource-types";
import { pipeline, resource, resourceArgs, stackArgs, UNKNOWN } from "../harness";

const pack = (...policies: Policy[]): PackUnderTest => ({ name: "sluice", version: "0.1.0", enforcementLevel: "advisory", policies });

const streamsOnly: ResourceValidationPolicy = {
  name: "streams-only",
  description: "Only streams.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    if (args.type !== TYPE.STREAM) args.notApplicable("not a stream");
    report(`saw ${args.name}`);
  },
};
const counting: StackValidationPolicy = {
  name: "counting",
  description: "Counts.",
  validateStack: (args, report) => report(`${args.resources.length} resources`),
};

describe("policies/offline/analyze", () => {
  it("runs resource policies in registration order, then stack policies, with the engine's message shape", async () => {
    const p = pipeline();
    const result = await analyze(pack(streamsOnly, counting), p.all);
    expect(result.diagnostics).to.deep.equal([
      {
        policyName: "streams-only",
        policyPackName: "sluice",
        policyPackVersion: "0.1.0",
        description: "Only streams.",
        message: "Only streams.\nsaw acme-stream",
        enforcementLevel: "mandatory",
        urn: p.stream.urn,
      },
      {
        policyName: "counting",
        policyPackName: "sluice",
        policyPackVersion: "0.1.0",
        description: "Counts.",
        message: "Counts.\n6 resources",
        enforcementLevel: "advisory",
      },
    ]);
    expect(result.notApplicable.map((n) => [n.policyName, n.reason])).to.have.length(5).and.to.deep.include(["streams-only", "not a stream"]);
  });

  it("takes the level from config, then the policy, then the pack; skips disabled; reports remediate as mandatory", async () => {
    const levels = async (config: Parameters<typeof normalizePackConfig>[1]) =>
      (await analyze(pack(streamsOnly, counting), pipeline().all, { config: normalizePackConfig(pack(streamsOnly, counting), config, "config.json") })).diagnostics.map(
        (d) => `${d.policyName}:${d.enforcementLevel}`,
      );
    expect(await levels({})).to.deep.equal(["streams-only:mandatory", "counting:advisory"]);
    expect(await levels({ "streams-only": "advisory", counting: { enforcementLevel: "mandatory" } })).to.deep.equal(["streams-only:advisory", "counting:mandatory"]);
    expect(await levels({ "streams-only": "disabled" })).to.deep.equal(["counting:advisory"]);
    expect(await levels({ counting: "remediate" })).to.deep.equal(["streams-only:mandatory", "counting:mandatory"]);
  });

  it("keeps a violation's own level when reported in the object form", async () => {
    const downgrading: ResourceValidationPolicy = {
      name: "downgrading",
      description: "Downgrades.",
      enforcementLevel: "mandatory",
      validateResource: (args, report) => reportAtLevel(report, "advisory", "Downgrades.", `only a warning for ${args.name}`),
    };
    const [d] = (await analyze(pack(downgrading), [pipeline().stream])).diagnostics;
    expect(d).to.deep.include({ enforcementLevel: "advisory", message: "Downgrades.\nonly a warning for acme-stream" });
  });

  it("turns an unknown value into the SDK's advisory 'can't run during preview'", async () => {
    const reading: ResourceValidationPolicy = {
      name: "reading",
      description: "Reads the ARN.",
      enforcementLevel: "mandatory",
      validateResource: (args) => {
        void String(args.props.eventSourceArn);
      },
    };
    const p = pipeline(undefined, { mapping: { eventSourceArn: UNKNOWN.string } });
    const [d] = (await analyze(pack(reading), [p.mapping])).diagnostics;
    expect(d).to.deep.include({
      enforcementLevel: "advisory",
      message: "can't run policy 'reading' from policy pack 'sluice@v0.1.0' during preview: string value at .eventSourceArn can't be known during preview",
    });
  });

  it("fails the run when a policy throws anything else, naming the policy and resource", async () => {
    const broken: ResourceValidationPolicy = { name: "broken", description: "Breaks.", validateResource: () => JSON.parse("{") };
    let error: unknown;
    try {
      await analyze(pack(broken), [pipeline().stream]);
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(PolicyRunError);
    expect((error as Error).message).to.match(/^Error validating resource urn:pulumi:dev::sluice::.*acme-stream with policy 'broken' from policy pack 'sluice@v0.1.0': /);
  });

  it("refuses config for a policy the pack does not have, or a level that does not exist", () => {
    expect(() => normalizePackConfig(pack(counting), { countin: "mandatory", counting: "blocking" }, "cfg.json"))
      .to.throw(PolicyPackConfigError)
      .with.property("problems")
      .that.deep.equals(['cfg.json: "countin" is not a policy of pack sluice; it has counting', 'cfg.json: counting: "blocking" is not one of advisory, mandatory, remediate, disabled']);
    expect(() => normalizePackConfig(pack(counting), [], "cfg.json")).to.throw("cfg.json: expected a JSON object keyed by policy name");
  });

  describe("the arguments it builds", () => {
    it("gives resource policies the inputs, options and stack tags, and a throwing notApplicable", () => {
      const p = pipeline();
      const args = resourceArgs(p.mapping, { caps: { acme: 6 } });
      expect(args).to.deep.include({ type: TYPE.MAPPING, name: "acme-mapping", urn: p.mapping.urn });
      expect(args.props.batchSize).to.equal(4);
      expect(args.opts).to.deep.include({ parent: p.component.urn, ignoreChanges: ["batchSize", "enabled"], protect: false });
      expect(args.stackTags.get("pulumi:project")).to.equal("sluice");
      expect(args.getConfig()).to.deep.equal({ caps: { acme: 6 } });
      expect(() => args.notApplicable()).to.throw("Policy does not apply");
      expect(args.isType({ __pulumiType: TYPE.MAPPING } as never)).to.equal(true);
    });

    it("gives stack policies outputs, with parents and dependencies resolved to resources", () => {
      const p = pipeline();
      const withOutputs = resource(TYPE.STREAM, "acme-stream", { shardCount: 1 }, { parent: p.component, outputs: { shardCount: 1, arn: "arn:aws:kinesis:eu-west-2:1:stream/s" } });
      const { resources } = stackArgs([p.component, withOutputs, p.ventilator, p.mapping]);
      const [component, stream, ventilator, mapping] = resources;
      expect(stream!.props.arn).to.equal("arn:aws:kinesis:eu-west-2:1:stream/s");
      expect(stream!.parent).to.equal(component);
      expect(mapping!.dependencies).to.deep.equal([ventilator]);
    });

    it("puts props behind the unknown-checking proxy, as the engine does in a preview", () => {
      const args = resourceArgs(pipeline(undefined, { mapping: { functionName: UNKNOWN.string } }).mapping);
      expect(() => args.props.functionName).to.throw("can't be known during preview");
      expect(args.props.batchSize).to.equal(4);
    });
  });
});
