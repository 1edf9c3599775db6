import { expect } from "chai";
import { pipelineNames } from "../../components/naming";
import { CliInputError } from "../../cli/errors";
import { describeSource, locate, parseStackOutputs } from "../../cli/resources";

describe("finding a provider's resources", () => {
  it("names them by the component's convention for a stack", () => {
    const names = pipelineNames("prod", "meridian-funds");
    expect(locate({ kind: "naming", stack: "prod" }, "meridian-funds")).to.deep.equal({
      providerId: "meridian-funds",
      stream: names.stream,
      table: names.table,
      ventilator: names.ventilator,
    });
    expect(names.stream).to.equal("sluice-prod-meridian-funds");
  });

  it("reads `pulumi stack output --json` as index.ts exports it", () => {
    const text = JSON.stringify({
      providers: {
        demo: {
          stream: "s-demo",
          streamArn: "arn:aws:kinesis:eu-west-1:1:stream/s-demo",
          table: "t-demo",
          mappingUuid: "uuid-1",
          ventilator: "v-demo",
          worker: "w-demo",
          deadLetterQueue: "https://sqs/q",
          dashboard: "d",
          dashboardUrl: "https://console",
          enabled: true,
        },
      },
      landingBucket: "bucket",
    });
    const source = parseStackOutputs(text, "out.json");
    expect(locate(source, "demo")).to.deep.equal({ providerId: "demo", stream: "s-demo", streamArn: "arn:aws:kinesis:eu-west-1:1:stream/s-demo", table: "t-demo", mappingUuid: "uuid-1", ventilator: "v-demo" });
    expect(describeSource(source)).to.equal("the stack outputs of out.json");
  });

  it("also reads the component's own output names", () => {
    const source = parseStackOutputs(JSON.stringify({ providers: { a: { streamName: "s", tableName: "t", ventilatorName: "v" } } }), "o");
    expect(locate(source, "a")).to.deep.equal({ providerId: "a", stream: "s", table: "t", ventilator: "v" });
  });

  it("answers null for a provider the outputs do not list (not deployed in that stack)", () => {
    expect(locate(parseStackOutputs('{"providers": {}}', "o"), "demo")).to.equal(null);
  });

  const bad: { name: string; text: string; message: RegExp }[] = [
    { name: "not JSON", text: "Current stack outputs (2):", message: /^o\.json: not JSON .*pulumi stack output --json/ },
    { name: "no providers object", text: '{"landingBucket": "b"}', message: /^o\.json: providers: .*"providers" object/ },
    { name: "a provider without its stream", text: '{"providers": {"demo": {"table": "t", "ventilator": "v"}}}', message: /^o\.json: providers\.demo lacks stream$/ },
    { name: "a name that is not a string", text: '{"providers": {"demo": {"stream": 1, "table": "t", "ventilator": "v"}}}', message: /^o\.json: providers\.demo\.stream: / },
  ];
  for (const c of bad) {
    it(`refuses stack outputs with ${c.name}, in one line naming the file`, () => {
      expect(() => parseStackOutputs(c.text, "o.json"))
        .to.throw(CliInputError)
        .that.satisfies((e: CliInputError) => c.message.test(e.message) && !e.message.includes("\n"));
    });
  }
});
