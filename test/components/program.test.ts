import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { REPO_ROOT } from "../../components/bundle";
import { ventilatorEntry, workerEntryFor } from "../../components/entries";
import { sluiceStack, type ProgramDeps, type ProgramOutputs } from "../../components/program";
import { PROVIDER_PIPELINE_TYPE } from "../../components/provider-pipeline";
import { breakerAlarmWindow, iteratorAgeAlarmMs, maximumRecordAgeSeconds, ventilatorTimeoutSeconds, workerLambdaTimeoutSeconds } from "../../components/sizing";
import { loadCatalog } from "../../runtime/catalog/load";
import type { CatalogInput } from "../../runtime/catalog/schema";
import { validateCatalog } from "../../runtime/catalog/validate";
import { CatalogError } from "../../runtime/errors";
import { named, ofType, runUnderMocks, valueOf, type MockRun, type Registered } from "./support";

const SHIPPED = path.join(REPO_ROOT, "providers.json");
/** The examples' catalog: providers with their own worker modules. */
const EXAMPLES = path.join(REPO_ROOT, "examples", "providers.json");
const shippedInput = (): CatalogInput => JSON.parse(readFileSync(SHIPPED, "utf8")) as CatalogInput;
const catalog = loadCatalog(SHIPPED);

/** Deps with the real catalog loader and a recording archive builder (bundling is tested on its own). */
function recordingDeps(): ProgramDeps & { entries: string[] } {
  const entries: string[] = [];
  return {
    entries,
    loadCatalog,
    cwd: REPO_ROOT,
    archive: (entry) => {
      entries.push(entry);
      return new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(`// ${path.relative(REPO_ROOT, entry)}`) });
    },
  };
}

let dir: string;
/** Writes a catalog into the test's directory; a provider's own worker module still points at the repository's file. */
function catalogFile(name: string, content: unknown): string {
  const file = path.join(dir, name);
  if (typeof content !== "string") {
    for (const p of (content as CatalogInput).providers ?? []) {
      const module = (p as { worker?: { module?: string } }).worker?.module;
      if (module?.startsWith(".")) (p.worker as { module: string }).module = path.relative(dir, path.resolve(REPO_ROOT, module)).split(path.sep).join("/");
    }
  }
  writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content, null, 2));
  return file;
}

function runProgram(catalogPath: string, config: Record<string, string> = {}, deps = recordingDeps()): Promise<MockRun<ProgramOutputs>> {
  return runUnderMocks(() => sluiceStack(deps), { "sluice:catalog": catalogPath, ...config });
}

const countByType = (resources: Registered[]) => {
  const counts: Record<string, number> = {};
  for (const r of resources) counts[r.type] = (counts[r.type] ?? 0) + 1;
  return counts;
};

describe("components/program", () => {
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), "sluice-program-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe("the shipped catalog", () => {
    let run: MockRun<ProgramOutputs>;
    let deps: ReturnType<typeof recordingDeps>;
    before(async () => {
      deps = recordingDeps();
      run = await runProgram("providers.json", {}, deps);
      if (run.error) throw run.error;
    });

    it("creates one ProviderPipeline per provider and one landing bucket for the http workers", () => {
      expect(ofType(run.resources, PROVIDER_PIPELINE_TYPE).map((r) => r.name)).to.deep.equal(catalog.providers.map((p) => p.id));
      expect(ofType(run.resources, "aws:s3/bucket:Bucket")).to.have.length(1);
      expect(named(run.resources, "landing").inputs.bucketPrefix).to.equal("sluice-dev-landing-");
      expect(named(run.resources, "landing-encryption").inputs.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm).to.equal("AES256");
      const tls = JSON.parse(named(run.resources, "landing-tls-only").inputs.policy).Statement[0];
      expect(tls).to.deep.include({ Effect: "Deny", Action: ["s3:*"], Condition: { Bool: { "aws:SecureTransport": "false" } } });
      expect(named(run.resources, "landing-public-access").inputs).to.include({
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      });
    });

    it("bundles the ventilator and each provider's worker module", () => {
      expect(deps.entries[0]).to.equal(ventilatorEntry());
      expect(deps.entries.slice(1)).to.deep.equal(catalog.providers.map((p) => workerEntryFor(p)));
    });

    for (const provider of catalog.providers) {
      describe(`provider ${provider.id}`, () => {
        const get = (suffix: string) => named(run.resources, `${provider.id}-${suffix}`).inputs;

        it("has an encrypted stream with the catalog's shards and a retention covering its closed periods", () => {
          expect(get("stream")).to.include({
            name: `sluice-dev-${provider.id}`,
            shardCount: provider.shardCount,
            retentionPeriod: provider.streamRetentionHours,
            encryptionType: "KMS",
            kmsKeyId: "alias/aws/kinesis",
          });
          expect(get("stream").retentionPeriod * 60).to.be.at.least(provider.longestClosedMinutes);
        });

        it("has an on-demand, encrypted ledger table with the ledger's keys, TTL and point-in-time recovery", () => {
          const table = get("ledger");
          expect(table).to.include({ name: `sluice-dev-${provider.id}-ledger`, billingMode: "PAY_PER_REQUEST", hashKey: "pk", rangeKey: "sk" });
          expect(table.attributes).to.deep.equal([
            { name: "pk", type: "S" },
            { name: "sk", type: "S" },
          ]);
          expect(table.ttl).to.deep.equal({ attributeName: "expiresAt", enabled: true });
          expect(table.pointInTimeRecovery).to.deep.equal({ enabled: true });
          expect(table.serverSideEncryption).to.deep.equal({ enabled: true });
        });

        it("caps the worker at the provider's concurrency, with a timeout above its worst latency", () => {
          const worker = get("worker");
          expect(worker).to.include({
            name: `sluice-dev-${provider.id}-worker`,
            reservedConcurrentExecutions: provider.maxConcurrency,
            timeout: workerLambdaTimeoutSeconds(provider),
            memorySize: provider.worker.memoryMb,
            runtime: "nodejs22.x",
            handler: "index.handler",
          });
          expect(worker.architectures).to.deep.equal(["arm64"]);
          expect(worker.timeout * 1000).to.be.above(provider.latencyThresholdMs);
          expect(worker.timeout).to.be.at.least(provider.worker.timeoutSeconds);
        });

        it("gives the ventilator one instance per batch in flight, one for the re-arm tick, and time for its fan-out", () => {
          const ventilator = get("ventilator");
          expect(ventilator).to.include({
            reservedConcurrentExecutions: provider.shardCount * provider.parallelizationFactor + 1,
            timeout: ventilatorTimeoutSeconds(provider),
            runtime: "nodejs22.x",
          });
          expect(ventilator.timeout).to.be.at.least(Math.min(900, workerLambdaTimeoutSeconds(provider)));
        });

        it("maps the stream to the ventilator from TRIM_HORIZON with item failures, bounded retries and a dead-letter queue", () => {
          const mapping = get("mapping");
          expect(mapping).to.include({
            eventSourceArn: `arn:aws:kinesis:eu-west-2:123456789012:stream/sluice-dev-${provider.id}`,
            functionName: `arn:aws:lambda:eu-west-2:123456789012:function:sluice-dev-${provider.id}-ventilator`,
            startingPosition: "TRIM_HORIZON",
            batchSize: provider.initialFanOut,
            parallelizationFactor: provider.parallelizationFactor,
            bisectBatchOnFunctionError: true,
            maximumRetryAttempts: 10_000,
            maximumRecordAgeInSeconds: maximumRecordAgeSeconds(provider),
            enabled: provider.enabled,
          });
          expect(mapping.functionResponseTypes).to.deep.equal(["ReportBatchItemFailures"]);
          expect(mapping.destinationConfig.onFailure.destinationArn).to.equal(`arn:aws:sqs:eu-west-2:123456789012:sluice-dev-${provider.id}-dlq`);
          expect(get("dlq")).to.include({ sqsManagedSseEnabled: true });
        });

        it("re-arms every 10 minutes by default, with the permission EventBridge needs", () => {
          expect(get("rearm")).to.include({ scheduleExpression: "rate(10 minutes)", state: provider.enabled ? "ENABLED" : "DISABLED" });
          expect(get("rearm-target")).to.include({ arn: `arn:aws:lambda:eu-west-2:123456789012:function:sluice-dev-${provider.id}-ventilator` });
          expect(get("rearm-permission")).to.include({
            action: "lambda:InvokeFunction",
            function: `sluice-dev-${provider.id}-ventilator`,
            principal: "events.amazonaws.com",
            sourceArn: `arn:aws:events:eu-west-2:123456789012:rule/sluice-dev-${provider.id}-rearm`,
          });
        });

        it("keeps both functions' logs for the configured retention", () => {
          for (const role of ["worker", "ventilator"]) {
            expect(get(`${role}-logs`), role).to.include({ name: `/aws/lambda/sluice-dev-${provider.id}-${role}`, retentionInDays: 30 });
            expect(get(role).loggingConfig.logGroup, role).to.equal(`/aws/lambda/sluice-dev-${provider.id}-${role}`);
          }
        });

        it("lets the ventilator touch only its own stream, table, worker, queue, logs and mapping, with no '*' action", () => {
          const statements = [...JSON.parse(get("ventilator-policy").policy).Statement, ...JSON.parse(get("ventilator-mapping-policy").policy).Statement];
          const own = `sluice-dev-${provider.id}`;
          const mappings = "arn:aws:lambda:eu-west-2:123456789012:event-source-mapping:*";
          for (const s of statements) {
            for (const action of s.Action) expect(action).not.to.include("*");
            for (const resource of s.Resource as string[]) {
              if (resource === "*") expect([["lambda:ListEventSourceMappings"], ["kinesis:ListStreams"]]).to.deep.include(s.Action);
              else if (resource === mappings) expect(s.Action[0]).to.match(/^lambda:(Get|Update)EventSourceMapping$/);
              else expect(resource.includes(own), resource).to.equal(true);
            }
          }
          const update = statements.find((s) => s.Action.includes("lambda:UpdateEventSourceMapping"));
          expect(update.Resource).to.deep.equal([mappings]);
          expect(update.Condition).to.deep.equal({ ArnEquals: { "lambda:FunctionArn": `arn:aws:lambda:eu-west-2:123456789012:function:${own}-ventilator` } });
          expect(get("ventilator-policy").role).to.equal(`${provider.id}-ventilator-role-id`);
        });

        it("alarms when the provider refuses the credential and the pipeline waits for an operator", () => {
          expect(get("authFailed-alarm")).to.include({ namespace: "Sluice", metricName: "AuthFailed", threshold: 1, statistic: "Maximum", name: `sluice-dev-${provider.id}-auth-failed` });
          expect(get("authFailed-alarm").dimensions).to.deep.equal({ Provider: provider.id });
        });

        it("alarms on an open breaker, a non-empty dead-letter queue, a high iterator age and a pipeline held off too long", () => {
          const breaker = get("breakerOpen-alarm");
          expect(breaker).to.include({ namespace: "Sluice", metricName: "BreakerOpen", threshold: 1, statistic: "Maximum" });
          expect(breaker.dimensions).to.deep.equal({ Provider: provider.id });
          expect(breaker.evaluationPeriods).to.equal(breakerAlarmWindow(provider, 10).evaluationPeriods);
          expect(get("dlqNotEmpty-alarm")).to.include({ namespace: "AWS/SQS", metricName: "ApproximateNumberOfMessagesVisible", threshold: 0 });
          expect(get("dlqNotEmpty-alarm").dimensions).to.deep.equal({ QueueName: `sluice-dev-${provider.id}-dlq` });
          expect(get("iteratorAge-alarm")).to.include({ namespace: "AWS/Lambda", metricName: "IteratorAge", threshold: iteratorAgeAlarmMs(provider) });
          expect(get("iteratorAge-alarm").dimensions).to.deep.equal({ FunctionName: `sluice-dev-${provider.id}-ventilator` });
          expect(get("heldOff-alarm")).to.include({ namespace: "Sluice", metricName: "HeldOffMs", threshold: iteratorAgeAlarmMs(provider), treatMissingData: "notBreaching" });
          expect(get("iteratorAge-alarm").treatMissingData).to.equal("ignore");
          for (const key of ["breakerOpen", "dlqNotEmpty", "iteratorAge", "heldOff"]) expect(get(`${key}-alarm`).alarmActions).to.deep.equal([]);
        });

        it("draws batch size, limit, latency and outcomes on its dashboard", () => {
          const board = get("dashboard");
          expect(board.dashboardName).to.equal(`sluice-dev-${provider.id}`);
          const metrics = (JSON.parse(board.dashboardBody).widgets as { properties: { metrics: string[][] } }[]).flatMap((w) => w.properties.metrics);
          const own = metrics.filter((m) => m[0] === "Sluice" && m[2] === "Provider" && m[3] === provider.id).map((m) => m[1]);
          expect(own).to.include.members(["BatchSize", "Limit", "InFlight", "LatencyP50", "LatencyP95", "Ok", "Error", "Throttled", "Timeout", "Dead", "BreakerOpen"]);
        });
      });
    }

    it("exports per provider its stream, table, mapping UUID, functions, queue and dashboard", async () => {
      const out = run.result!.providers["meridian-funds"]!;
      expect(await valueOf(out.stream)).to.equal("sluice-dev-meridian-funds");
      expect(await valueOf(out.table)).to.equal("sluice-dev-meridian-funds-ledger");
      expect(await valueOf(out.mappingUuid)).to.equal("uuid-meridian-funds-mapping");
      expect(await valueOf(out.ventilator)).to.equal("sluice-dev-meridian-funds-ventilator");
      expect(await valueOf(out.worker)).to.equal("sluice-dev-meridian-funds-worker");
      expect(await valueOf(out.deadLetterQueue)).to.equal("https://sqs.eu-west-2.amazonaws.com/123456789012/sluice-dev-meridian-funds-dlq");
      expect(await valueOf(out.dashboard)).to.equal("sluice-dev-meridian-funds");
      expect(out.dashboardUrl).to.match(/^https:\/\/eu-west-2\.console\.aws\.amazon\.com\/cloudwatch\/.*sluice-dev-meridian-funds$/);
      expect(Object.keys(run.result!.providers)).to.deep.equal(catalog.providers.map((p) => p.id));
      expect(await valueOf(run.result!.landingBucket!)).to.equal("sluice-dev-landing-20250101abcdef");
    });
  });

  it("runs from index.ts with stack config and the real bundles, one bundle shared by every ventilator", async () => {
    const run = await runUnderMocks(() => require("../../index") as typeof import("../../index"), { "sluice:catalog": "providers.json" });
    if (run.error) throw run.error;
    expect(Object.keys(run.result!.providers)).to.deep.equal(catalog.providers.map((p) => p.id));
    expect(ofType(run.resources, PROVIDER_PIPELINE_TYPE)).to.have.length(catalog.providers.length);
    const code = async (name: string) => (await named(run.resources, name).inputs.code.assets)["index.js"];
    const ventilators = await Promise.all(catalog.providers.map((p) => code(`${p.id}-ventilator`)));
    const files = await Promise.all(ventilators.map((asset: pulumi.asset.FileAsset) => asset.path));
    expect(new Set(files).size).to.equal(1);
    expect(readFileSync(files[0]!, "utf8")).to.match(/exports|module\.exports/).and.not.include(REPO_ROOT);
    expect(named(run.resources, "demo-ventilator").inputs.handler).to.equal("index.handler");
  });

  it("bundles a provider's own worker through its generated entry, and grants it its declared secrets and its prefix of the stack's bucket", async () => {
    const deps = recordingDeps();
    const run = await runProgram(EXAMPLES, {}, deps);
    if (run.error) throw run.error;
    const entry = deps.entries.find((e) => e.includes(`${path.sep}.sluice${path.sep}entries${path.sep}`) && readFileSync(e, "utf8").includes("lumen-ratings"));
    expect(entry, "generated entry").to.not.equal(undefined);
    expect(readFileSync(entry!, "utf8")).to.include('workerLambda(exportedWorker(mod, "./workers/lumen-ratings.ts"), { module: "./workers/lumen-ratings.ts" })');
    const worker = named(run.resources, "lumen-ratings-worker").inputs;
    expect(worker.environment.variables.SLUICE_BUCKET).to.match(/landing/);
    const statements = JSON.parse(named(run.resources, "lumen-ratings-worker-policy").inputs.policy).Statement as { Sid: string; Resource: string[] }[];
    expect(statements.find((st) => st.Sid === "OwnCredential")!.Resource).to.deep.equal([
      "arn:aws:secretsmanager:eu-west-2:123456789012:secret:sluice/lumen-ratings/client-id-??????",
      "arn:aws:secretsmanager:eu-west-2:123456789012:secret:sluice/lumen-ratings/client-secret-??????",
    ]);
    expect(statements.find((st) => st.Sid === "LandOwnObjects")!.Resource[0]).to.match(/\/lumen-ratings\/\*$/);
  });

  it("adds exactly one component and its children for one more provider", async () => {
    const before = await runProgram(SHIPPED);
    const input = shippedInput();
    input.providers.push({ id: "northwind", maxConcurrency: 2, worker: { module: "chaos" } });
    const after = await runProgram(catalogFile("plus-one.json", input));
    if (before.error || after.error) throw before.error ?? after.error;

    expect(after.resources.length - before.resources.length).to.equal(24);
    const added = after.resources.filter((r) => !before.resources.some((b) => b.type === r.type && b.name === r.name));
    expect(added).to.have.length(24);
    expect(ofType(added, PROVIDER_PIPELINE_TYPE).map((r) => r.name)).to.deep.equal(["northwind"]);
    for (const r of added) expect(r.name.startsWith("northwind-"), r.name).to.equal(r.type !== PROVIDER_PIPELINE_TYPE);
    const perType = countByType(after.resources);
    for (const [type, n] of Object.entries(countByType(before.resources))) {
      const perPipeline = type === "aws:s3/bucket:Bucket" || type.startsWith("aws:s3/") ? 0 : n / catalog.providers.length;
      expect(perType[type], type).to.equal(n + perPipeline);
    }
  });

  it("deploys a provider switched to enabled: false with its mapping disabled and its schedule off", async () => {
    const input = shippedInput();
    input.providers[0] = { ...input.providers[0]!, enabled: false };
    const run = await runProgram(catalogFile("demo-disabled.json", input));
    if (run.error) throw run.error;
    expect(named(run.resources, "demo-mapping").inputs.enabled).to.equal(false);
    expect(named(run.resources, "demo-rearm").inputs.state).to.equal("DISABLED");
    expect(named(run.resources, "meridian-funds-mapping").inputs.enabled).to.equal(true);
  });

  it("fails with the catalog's own lines and registers nothing when the catalog is invalid", async () => {
    const input = shippedInput();
    (input.providers[1] as Record<string, unknown>).maxConcurrency = 0;
    (input.providers[2] as Record<string, unknown>).colour = "blue";
    let expected: CatalogError | undefined;
    try {
      validateCatalog(input, "broken.json");
    } catch (err) {
      expected = err as CatalogError;
    }
    expect(expected?.problems).to.have.length(2);

    const run = await runProgram(catalogFile("broken.json", input));
    expect(pulumi.RunError.isInstance(run.error)).to.equal(true);
    expect((run.error as Error).message).to.equal(expected!.problems.join("\n"));
    expect(run.resources).to.deep.equal([]);
  });

  it("fails with the file and line of a catalog that is not JSON, registering nothing", async () => {
    const run = await runProgram(catalogFile("not-json.json", '{\n  "providers": [\n    { "id": "x", }\n  ]\n}\n'));
    expect(pulumi.RunError.isInstance(run.error)).to.equal(true);
    expect((run.error as Error).message).to.match(/^not-json\.json: invalid JSON at line 3/);
    expect(run.resources).to.deep.equal([]);
  });

  it("fails naming the config key when the stack config is wrong, registering nothing", async () => {
    const run = await runProgram(SHIPPED, { "sluice:logRetentionDays": "10" });
    expect(pulumi.RunError.isInstance(run.error)).to.equal(true);
    expect((run.error as Error).message).to.match(/sluice:logRetentionDays 10/);
    expect(run.resources).to.deep.equal([]);
  });

  it("applies the stack's re-arm interval, log retention, alarm topic and namespace", async () => {
    const run = await runProgram(SHIPPED, {
      "sluice:rearmIntervalMinutes": "5",
      "sluice:logRetentionDays": "7",
      "sluice:alarmTopicArn": "arn:aws:sns:eu-west-2:123456789012:ops",
      "sluice:metricsNamespace": "Sluice/dev",
    });
    if (run.error) throw run.error;
    expect(named(run.resources, "demo-rearm").inputs.scheduleExpression).to.equal("rate(5 minutes)");
    expect(named(run.resources, "demo-worker-logs").inputs.retentionInDays).to.equal(7);
    expect(named(run.resources, "demo-breakerOpen-alarm").inputs).to.deep.include({ namespace: "Sluice/dev", alarmActions: ["arn:aws:sns:eu-west-2:123456789012:ops"] });
    expect(named(run.resources, "demo-ventilator").inputs.environment.variables.SLUICE_METRICS_NAMESPACE).to.equal("Sluice/dev");
  });

  it("encrypts the landing bucket with the stack's customer-managed key and lets the http workers use it", async () => {
    const key = "arn:aws:kms:eu-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const run = await runProgram(SHIPPED, { "sluice:landingKmsKeyArn": key });
    if (run.error) throw run.error;
    expect(named(run.resources, "landing-encryption").inputs.rules[0].applyServerSideEncryptionByDefault).to.deep.equal({ sseAlgorithm: "aws:kms", kmsMasterKeyId: key });
    const grants = JSON.parse(named(run.resources, "meridian-funds-worker-policy").inputs.policy).Statement;
    expect(grants.find((s: { Sid: string }) => s.Sid === "LandingKey")).to.deep.include({ Action: ["kms:GenerateDataKey"], Resource: [key] });
    const demo = JSON.parse(named(run.resources, "demo-worker-policy").inputs.policy).Statement;
    expect(demo.map((s: { Sid: string }) => s.Sid)).not.to.include("LandingKey");
  });

  it("creates no landing bucket when every http provider names its own", async () => {
    const input = shippedInput();
    for (const p of input.providers) {
      if (p.worker.module === "http") p.worker.settings = { ...p.worker.settings, bucket: "acme-landing" };
    }
    const run = await runProgram(catalogFile("own-buckets.json", input));
    if (run.error) throw run.error;
    expect(ofType(run.resources, "aws:s3/bucket:Bucket")).to.deep.equal([]);
    expect(named(run.resources, "meridian-funds-worker").inputs.environment.variables.SLUICE_BUCKET).to.equal("acme-landing");
    expect(JSON.parse(named(run.resources, "meridian-funds-worker-policy").inputs.policy).Statement.at(-1).Resource).to.deep.equal([
      "arn:aws:s3:::acme-landing/meridian-funds/*",
    ]);
  });
});
