import { expect } from "chai";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { mappingIgnoreChanges, mappingOptions } from "../../components/mapping";
import {
  PROVIDER_PIPELINE_TYPE,
  ProviderPipeline,
  ProviderPipelineError,
  type ProviderPipelineArgs,
} from "../../components/provider-pipeline";
import { parseContractTags, TAG } from "../../components/tags";
import { loadCatalog } from "../../runtime/catalog/load";
import { findProvider, type Provider } from "../../runtime/catalog/provider";
import { validateProvider } from "../../runtime/catalog/validate";
import { CHAOS_ENV, HTTP_WORKER_ENV, VENTILATOR_ENV, WORKER_LEDGER_ENV } from "../../runtime/lambda-env";
import { named, ofType, REGION, runUnderMocks, valueOf, type Registered } from "./support";

const catalog = loadCatalog(path.join(__dirname, "..", "..", "providers.json"));
const shipped = (id: string): Provider => findProvider(catalog, id)!;

const code = {
  ventilator: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset("exports.handler = async () => 'ventilator';") }),
  worker: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset("exports.handler = async () => 'worker';") }),
};

function argsFor(provider: Provider, extra: Partial<ProviderPipelineArgs> = {}): ProviderPipelineArgs {
  return {
    provider,
    stack: "dev",
    region: REGION,
    metricsNamespace: "Sluice",
    rearmIntervalMinutes: 10,
    logRetentionDays: 30,
    accountConcurrencyLimit: 1_000,
    landingBucket: "sluice-dev-landing-abc",
    code,
    ...extra,
  };
}

interface Child {
  type: string;
  name: string;
  opts: pulumi.CustomResourceOptions;
}

/** Builds one pipeline under mocks, capturing every child's resource options through `transformations`. */
async function build(args: ProviderPipelineArgs) {
  const children: Child[] = [];
  let pipeline: ProviderPipeline | undefined;
  const run = await runUnderMocks(() => {
    pipeline = new ProviderPipeline(args.provider.id, args, {
      transformations: [
        (t) => {
          // The component's transformations see the component itself first, then every child.
          if (t.type !== PROVIDER_PIPELINE_TYPE) children.push({ type: t.type, name: t.name, opts: t.opts as pulumi.CustomResourceOptions });
          return undefined;
        },
      ],
    });
    return pipeline;
  });
  if (run.error) throw run.error;
  return { pipeline: pipeline!, children, resources: run.resources };
}

const TAGGABLE_TYPES = new Set([
  "aws:kinesis/stream:Stream",
  "aws:dynamodb/table:Table",
  "aws:sqs/queue:Queue",
  "aws:cloudwatch/logGroup:LogGroup",
  "aws:iam/role:Role",
  "aws:lambda/function:Function",
  "aws:lambda/eventSourceMapping:EventSourceMapping",
  "aws:cloudwatch/eventRule:EventRule",
  "aws:cloudwatch/metricAlarm:MetricAlarm",
]);

describe("components/provider-pipeline", () => {
  describe("meridian-funds (http worker, 1 shard × parallelization 2)", () => {
    let built: Awaited<ReturnType<typeof build>>;
    const provider = shipped("meridian-funds");
    before(async () => {
      built = await build(argsFor(provider, { alarmTopicArn: "arn:aws:sns:eu-west-2:123456789012:alarms" }));
    });

    it("registers the component under its type token and its 22 children parented to it", () => {
      expect(ofType(built.resources, PROVIDER_PIPELINE_TYPE).map((r) => r.name)).to.deep.equal(["meridian-funds"]);
      expect(built.children).to.have.length(22);
      for (const child of built.children) expect(child.opts.parent, child.name).to.equal(built.pipeline);
      expect(built.resources.filter((r) => r.type !== PROVIDER_PIPELINE_TYPE)).to.have.length(22);
      for (const r of built.resources) expect(r.name.startsWith("meridian-funds"), r.name).to.equal(true);
    });

    it("marks batchSize and enabled of the mapping ignoreChanges (the ventilator owns them)", () => {
      const mapping = built.children.filter((c) => c.type === "aws:lambda/eventSourceMapping:EventSourceMapping");
      expect(mapping).to.have.length(1);
      expect(mapping[0]!.opts.ignoreChanges).to.deep.equal(["batchSize", "enabled"]);
      for (const other of built.children.filter((c) => c !== mapping[0])) expect(other.opts.ignoreChanges, other.name).to.equal(undefined);
    });

    it("creates the mapping after the ventilator's stream grants and its mapping control exist", async () => {
      const mapping = built.children.find((c) => c.name === "meridian-funds-mapping")!;
      const dependsOn = mapping.opts.dependsOn as pulumi.Resource[];
      const urns = await Promise.all(dependsOn.map((d) => valueOf((d as pulumi.CustomResource).urn)));
      expect(urns.map((u) => u.split("::").at(-1))).to.have.members(["meridian-funds-ventilator-policy", "meridian-funds-ventilator-mapping-policy"]);
    });

    it("keeps the ledger and the on-failure queue when the pipeline is removed: deletion protection and retainOnDelete", () => {
      expect(named(built.resources, "meridian-funds-ledger").inputs.deletionProtectionEnabled).to.equal(true);
      const kept = ["meridian-funds-ledger", "meridian-funds-dlq"];
      for (const name of kept) expect(built.children.find((c) => c.name === name)!.opts.retainOnDelete, name).to.equal(true);
      for (const other of built.children.filter((c) => !kept.includes(c.name))) expect(other.opts.retainOnDelete, other.name).to.equal(undefined);
    });

    it("gives the re-arm tick a reserved slot of its own and no asynchronous retries", () => {
      expect(named(built.resources, "meridian-funds-ventilator").inputs.reservedConcurrentExecutions).to.equal(provider.concurrentBatches + 1);
      const configs = ofType(built.resources, "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig");
      expect(configs.map((c) => c.name)).to.deep.equal(["meridian-funds-rearm-invoke-config"]);
      expect(configs[0]!.inputs).to.include({ functionName: "sluice-dev-meridian-funds-ventilator", maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 });
    });

    it("tags every taggable resource with the provider, and the stream, mapping and worker with its contract", () => {
      for (const r of built.resources.filter((r) => TAGGABLE_TYPES.has(r.type))) {
        expect(r.inputs.tags?.[TAG.PROVIDER], r.name).to.equal("meridian-funds");
      }
      for (const name of ["meridian-funds-stream", "meridian-funds-mapping", "meridian-funds-worker"]) {
        const contract = parseContractTags(named(built.resources, name).inputs.tags);
        expect(contract, name).to.deep.include({ maxConcurrency: 8, maxFanOut: 4, concurrentBatches: 2, timezone: "Europe/London" });
        expect(contract.maintenanceWindows, name).to.deep.equal(provider.maintenanceWindows);
      }
    });

    it("tags both functions with the account limit their reservations are budgeted against", () => {
      for (const name of ["meridian-funds-worker", "meridian-funds-ventilator"]) {
        expect(named(built.resources, name).inputs.tags, name).to.include({ [TAG.ACCOUNT_CONCURRENCY_LIMIT]: "1000" });
      }
    });

    it("hands the ventilator its catalog entry, table, stream, worker and namespace, and no mapping UUID", () => {
      const env = named(built.resources, "meridian-funds-ventilator").inputs.environment.variables as Record<string, string>;
      expect(validateProvider(JSON.parse(env[VENTILATOR_ENV.PROVIDER]!))).to.deep.equal(provider);
      expect(env).to.include({
        [VENTILATOR_ENV.TABLE]: "sluice-dev-meridian-funds-ledger",
        [VENTILATOR_ENV.STREAM_ARN]: "arn:aws:kinesis:eu-west-2:123456789012:stream/sluice-dev-meridian-funds",
        [VENTILATOR_ENV.WORKER_FUNCTION]: "sluice-dev-meridian-funds-worker",
        [VENTILATOR_ENV.METRICS_NAMESPACE]: "Sluice",
      });
      expect(env).not.to.have.property(VENTILATOR_ENV.MAPPING_UUID);
    });

    it("hands the http worker its catalog entry, its ledger for the guard and the landing bucket", () => {
      const env = named(built.resources, "meridian-funds-worker").inputs.environment.variables as Record<string, string>;
      expect(validateProvider(JSON.parse(env[HTTP_WORKER_ENV.PROVIDER]!))).to.deep.equal(provider);
      expect(env[WORKER_LEDGER_ENV.TABLE]).to.equal("sluice-dev-meridian-funds-ledger");
      expect(env[HTTP_WORKER_ENV.BUCKET]).to.equal("sluice-dev-landing-abc");
    });

    it("sends alarms and their recovery to the configured topic", () => {
      const alarms = ofType(built.resources, "aws:cloudwatch/metricAlarm:MetricAlarm");
      expect(alarms).to.have.length(4);
      for (const a of alarms) {
        expect(a.inputs.alarmActions, a.name).to.deep.equal(["arn:aws:sns:eu-west-2:123456789012:alarms"]);
        expect(a.inputs.okActions, a.name).to.deep.equal(["arn:aws:sns:eu-west-2:123456789012:alarms"]);
      }
    });

    it("exposes its outputs for the stack", async () => {
      const outputs = built.pipeline.outputs();
      expect(await valueOf(outputs.mappingUuid)).to.equal("uuid-meridian-funds-mapping");
      expect(await valueOf(outputs.ventilator)).to.equal("sluice-dev-meridian-funds-ventilator");
      expect(outputs.dashboardUrl).to.equal(
        "https://eu-west-2.console.aws.amazon.com/cloudwatch/home?region=eu-west-2#dashboards/dashboard/sluice-dev-meridian-funds",
      );
    });
  });

  describe("a disabled provider (pacific-registry)", () => {
    let built: Awaited<ReturnType<typeof build>>;
    before(async () => {
      built = await build(argsFor(shipped("pacific-registry")));
    });

    it("deploys its mapping disabled and lets the program own the flag, so a deploy can disable a running mapping", () => {
      const mapping = named(built.resources, "pacific-registry-mapping");
      expect(mapping.inputs.enabled).to.equal(false);
      const opts = built.children.find((c) => c.name === "pacific-registry-mapping")!.opts;
      expect(opts.ignoreChanges).to.deep.equal(["batchSize"]);
    });

    it("turns its re-arm schedule off, so no tick re-enables the mapping", () => {
      expect(named(built.resources, "pacific-registry-rearm").inputs.state).to.equal("DISABLED");
    });
  });

  it("hands the chaos worker the demo's variables and its ledger for the guard", async () => {
    const demo = shipped("demo");
    const { resources } = await build(argsFor(demo));
    const env = named(resources, "demo-worker").inputs.environment.variables as Record<string, string>;
    expect(env).to.include({
      [CHAOS_ENV.BASE_LATENCY_MS]: "40",
      [CHAOS_ENV.SLOW_PERCENTAGE]: "5",
      [CHAOS_ENV.SLOW_MS]: "1500",
      [CHAOS_ENV.ERROR_PERCENTAGE]: "2",
      [CHAOS_ENV.THROTTLE_PERCENTAGE]: "0",
      [WORKER_LEDGER_ENV.TABLE]: "sluice-dev-demo-ledger",
    });
    expect(validateProvider(JSON.parse(env[WORKER_LEDGER_ENV.PROVIDER]!))).to.deep.equal(demo);
    const grants = JSON.parse(named(resources, "demo-worker-policy").inputs.policy).Statement;
    expect(grants.find((s: { Sid: string }) => s.Sid === "CompleteOwnRecords").Resource).to.deep.equal([
      "arn:aws:dynamodb:eu-west-2:123456789012:table/sluice-dev-demo-ledger",
    ]);
  });

  it("builds the mapping's ignoreChanges from the provider's enabled flag", () => {
    expect(mappingIgnoreChanges({ enabled: true })).to.deep.equal(["batchSize", "enabled"]);
    expect(mappingIgnoreChanges({ enabled: false })).to.deep.equal(["batchSize"]);
    const parent = {} as pulumi.Resource;
    expect(mappingOptions({ enabled: true }, { parent })).to.deep.equal({ parent, ignoreChanges: ["batchSize", "enabled"] });
  });

  describe("invalid arguments", () => {
    const cases: [string, ProviderPipelineArgs, RegExp][] = [
      [
        "an http worker with no bucket at all",
        argsFor(shipped("meridian-funds"), { landingBucket: undefined }),
        /http worker names no worker.settings.bucket and no landingBucket/,
      ],
      ["a log retention CloudWatch does not offer", argsFor(shipped("demo"), { logRetentionDays: 10 }), /logRetentionDays 10/],
      ["a re-arm interval of zero", argsFor(shipped("demo"), { rearmIntervalMinutes: 0 }), /rearmIntervalMinutes 0/],
      [
        "more windows than a tag can hold",
        argsFor({
          ...shipped("demo"),
          maintenanceWindows: Array.from({ length: 20 }, (_, i) => ({ day: "mon" as const, start: `${String(i).padStart(2, "0")}:00`, end: `${String(i).padStart(2, "0")}:30` })),
        }),
        /sluice\/maintenanceWindows is \d+ characters long/,
      ],
    ];
    for (const [what, args, message] of cases) {
      it(`throws for ${what} before registering anything`, async () => {
        const run = await runUnderMocks(() => new ProviderPipeline(args.provider.id, args));
        expect(run.error).to.be.instanceOf(ProviderPipelineError);
        expect((run.error as Error).message).to.match(message).and.to.match(new RegExp(`^ProviderPipeline "${args.provider.id}"`));
        expect(run.resources).to.deep.equal([] as Registered[]);
      });
    }
  });
});
