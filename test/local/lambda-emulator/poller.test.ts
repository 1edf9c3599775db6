/**
 * Kinesis event source mapping semantics, end to end: records put into a real
 * kinesis-mock with the production Kinesis client, polled by the emulator,
 * handled by small in-process functions. Mapping changes go through the real
 * @aws-sdk/client-lambda.
 */
import { expect } from "chai";
import { UpdateEventSourceMappingCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import { PutRecordsCommand, type KinesisClient } from "@aws-sdk/client-kinesis";
import { lambdaClient } from "../../../runtime/aws/clients";
import { createStream, startKinesisMock, type KinesisMock } from "../../../local/engines/kinesis";
import { startLambdaEmulator, type KinesisStreamEvent, type LambdaEmulator } from "../../../local/lambda-emulator";
import { delay, eventually } from "../../support/eventually";

interface Put {
  data: string;
  shardId: string;
  sequenceNumber: string;
}

const text = (r: KinesisStreamEvent["Records"][number]) => Buffer.from(r.kinesis.data, "base64").toString("utf8");
const bySequence = (a: string, b: string) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);

describe("Kinesis event source mapping emulation on kinesis-mock", function () {
  this.timeout(20_000);
  let kinesisMock: KinesisMock;
  let emulator: LambdaEmulator;
  let kinesis: KinesisClient;
  let lambda: LambdaClient;
  let streams = 0;

  before(async () => {
    kinesisMock = await startKinesisMock();
    emulator = await startLambdaEmulator({ kinesisEndpoint: kinesisMock.endpoint, updateDelayMs: 150, controlPlaneRps: null });
    kinesis = emulator.kinesis;
    lambda = lambdaClient({ endpoint: emulator.endpoint, maxAttempts: 1 });
  });

  // Idle pollers of finished tests would keep kinesis-mock busy: stop each test's mapping after it.
  const pollers: { stop(): Promise<void> }[] = [];
  function map(config: Parameters<LambdaEmulator["createMapping"]>[0]) {
    const handle = emulator.createMapping(config);
    pollers.push(handle.poller);
    return handle;
  }
  afterEach(async () => {
    await Promise.all(pollers.splice(0).map((p) => p.stop()));
  });

  after(async () => {
    lambda?.destroy();
    await emulator?.stop();
    await kinesisMock?.stop();
  });

  /** A fresh stream per test, so mappings never see each other's records. */
  async function stream(shards: number): Promise<{ name: string; arn: string }> {
    const name = `esm-${++streams}`;
    return { name, arn: (await createStream(kinesis, name, shards)).streamArn };
  }

  async function put(streamName: string, data: string[], partitionKey = (i: number) => `pk-${i}`): Promise<Put[]> {
    const out = await kinesis.send(
      new PutRecordsCommand({ StreamName: streamName, Records: data.map((d, i) => ({ Data: Buffer.from(d), PartitionKey: partitionKey(i) })) }),
    );
    expect(out.FailedRecordCount ?? 0).to.equal(0);
    return out.Records!.map((r, i) => ({ data: data[i]!, shardId: r.ShardId!, sequenceNumber: r.SequenceNumber! }));
  }

  const names = (n: number, prefix = "r") => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

  it("delivers every record once, in order within each shard, with one batch in flight per shard, in Lambda's event shape", async () => {
    const s = await stream(2);
    const seen = new Map<string, string[]>();
    const inFlight = new Map<string, number>();
    let maxInFlightPerShard = 0;
    let firstEvent: KinesisStreamEvent | undefined;
    emulator.functions.register({
      name: "in-order",
      timeoutMs: 2_000,
      handler: async (event: KinesisStreamEvent) => {
        firstEvent ??= event;
        const shardId = event.Records[0]!.eventID.split(":")[0]!;
        inFlight.set(shardId, (inFlight.get(shardId) ?? 0) + 1);
        maxInFlightPerShard = Math.max(maxInFlightPerShard, inFlight.get(shardId)!);
        await delay(5);
        for (const r of event.Records) seen.set(shardId, [...(seen.get(shardId) ?? []), r.kinesis.sequenceNumber]);
        inFlight.set(shardId, inFlight.get(shardId)! - 1);
      },
    });
    const puts = [...(await put(s.name, names(40, "a"))), ...(await put(s.name, names(20, "b")))];
    const { poller } = map({ functionName: "in-order", eventSourceArn: s.arn, batchSize: 7, pollIntervalMs: 20 });

    await eventually("all 60 records processed", () => poller.shards.reduce((n, sh) => n + sh.recordsProcessed, 0) === 60);
    const shardIds = [...new Set(puts.map((p) => p.shardId))];
    expect(shardIds.length, "records spread over both shards").to.equal(2);
    for (const shardId of shardIds) {
      const expected = puts.filter((p) => p.shardId === shardId).map((p) => p.sequenceNumber).sort(bySequence);
      expect(seen.get(shardId), shardId).to.deep.equal(expected);
      expect(poller.shard(shardId).checkpoint).to.equal(expected.at(-1));
    }
    expect(maxInFlightPerShard).to.equal(1);
    expect(poller.problems).to.deep.equal([]);
    expect(Math.max(...poller.batches.map((b) => b.size))).to.be.at.most(7);

    const record = firstEvent!.Records[0]!;
    const put0 = puts.find((p) => p.sequenceNumber === record.kinesis.sequenceNumber)!;
    expect(record).to.deep.include({
      eventSource: "aws:kinesis",
      eventVersion: "1.0",
      eventName: "aws:kinesis:record",
      eventID: `${put0.shardId}:${put0.sequenceNumber}`,
      eventSourceARN: s.arn,
      awsRegion: "us-east-1",
      invokeIdentityArn: "arn:aws:iam::000000000000:role/in-order-role",
    });
    expect(record.kinesis).to.include({ kinesisSchemaVersion: "1.0", sequenceNumber: put0.sequenceNumber });
    expect(text(record)).to.equal(put0.data);
    expect(record.kinesis.partitionKey).to.match(/^pk-\d+$/);
    expect(record.kinesis.approximateArrivalTimestamp).to.be.closeTo(Date.now() / 1000, 60);
  });

  it("ReportBatchItemFailures: checkpoints before the lowest failed sequence number and re-sends everything from it", async () => {
    const s = await stream(1);
    const batches: string[][] = [];
    emulator.functions.register({
      name: "partial",
      timeoutMs: 2_000,
      handler: async (event: KinesisStreamEvent) => {
        batches.push(event.Records.map(text));
        if (batches.length > 1) return { batchItemFailures: [] };
        // Two failures reported out of order: the lowest (r3) decides.
        const failed = event.Records.filter((r) => ["r6", "r3"].includes(text(r))).reverse();
        return { batchItemFailures: failed.map((r) => ({ itemIdentifier: r.kinesis.sequenceNumber })) };
      },
    });
    const puts = await put(s.name, names(10));
    const { poller } = map({ functionName: "partial", eventSourceArn: s.arn, batchSize: 10, functionResponseTypes: ["ReportBatchItemFailures"], pollIntervalMs: 20 });

    await eventually("the shard is past r9", () => poller.shards[0]?.checkpoint === puts[9]!.sequenceNumber);
    expect(batches).to.deep.equal([names(10), names(10).slice(3)]);
    expect(poller.shards[0]).to.include({ retries: 1, recordsProcessed: 10, recordsDiscarded: 0 });
    expect(poller.batches.map((b) => b.outcome)).to.deep.equal(["partial", "success"]);
  });

  it("a malformed itemIdentifier fails the whole batch; a null list is success", async () => {
    const s = await stream(1);
    const batches: string[][] = [];
    emulator.functions.register({
      name: "malformed",
      timeoutMs: 2_000,
      handler: async (event: KinesisStreamEvent) => {
        batches.push(event.Records.map(text));
        return batches.length === 1 ? { batchItemFailures: [{ itemIdentifier: "not-a-sequence-number" }] } : { batchItemFailures: null };
      },
    });
    await put(s.name, names(4));
    const { poller } = map({ functionName: "malformed", eventSourceArn: s.arn, batchSize: 10, functionResponseTypes: ["ReportBatchItemFailures"], pollIntervalMs: 20 });

    await eventually("4 records processed", () => poller.shards[0]?.recordsProcessed === 4);
    expect(batches).to.deep.equal([names(4), names(4)]);
    expect(poller.batches.map((b) => b.outcome)).to.deep.equal(["failed", "success"]);
  });

  it("a function error retries the batch; past MaximumRetryAttempts the batch goes to the on-failure destination and the shard moves on", async () => {
    const s = await stream(1);
    const batches: string[][] = [];
    emulator.functions.register({
      name: "poisoned",
      timeoutMs: 2_000,
      handler: async (event: KinesisStreamEvent) => {
        const data = event.Records.map(text);
        batches.push(data);
        if (data.includes("poison")) throw new Error("cannot parse poison");
      },
    });
    const puts = await put(s.name, ["r0", "poison", "r2", "r3", "r4", "r5"]);
    const destination = "arn:aws:sqs:us-east-1:000000000000:esm-dlq";
    const { poller } = map({
      functionName: "poisoned",
      eventSourceArn: s.arn,
      batchSize: 3,
      maximumRetryAttempts: 2,
      onFailureDestination: destination,
      pollIntervalMs: 20,
    });

    await eventually("the shard is past r5", () => poller.shards[0]?.checkpoint === puts[5]!.sequenceNumber);
    expect(batches).to.deep.equal([["r0", "poison", "r2"], ["r0", "poison", "r2"], ["r0", "poison", "r2"], ["r3", "r4", "r5"]]);
    expect(poller.onFailure).to.have.length(1);
    const sent = poller.onFailure[0]!;
    expect(sent.KinesisBatchInfo).to.include({ shardId: puts[0]!.shardId, startSequenceNumber: puts[0]!.sequenceNumber, endSequenceNumber: puts[2]!.sequenceNumber, batchSize: 3, streamArn: s.arn });
    expect(sent.requestContext).to.include({ condition: "RetryAttemptsExhausted", approximateInvokeCount: 3, functionArn: emulator.functions.arnOf("poisoned") });
    expect(sent.responseContext.functionError).to.equal("Unhandled");
    expect(sent.destination).to.equal(destination);
    expect(poller.shards[0]).to.include({ retries: 2, recordsDiscarded: 3, recordsProcessed: 3 });
  });

  it("a timeout is a function error too: with MaximumRetryAttempts 0 the batch is discarded after one try", async () => {
    const s = await stream(1);
    let calls = 0;
    emulator.functions.register({ name: "hangs", timeoutMs: 80, handler: () => (++calls === 1 ? delay(500) : Promise.resolve()) });
    await put(s.name, names(4));
    const { poller } = map({ functionName: "hangs", eventSourceArn: s.arn, batchSize: 2, maximumRetryAttempts: 0, pollIntervalMs: 20 });

    await eventually("4 records handled", () => (poller.shards[0]?.recordsDiscarded ?? 0) + (poller.shards[0]?.recordsProcessed ?? 0) === 4);
    expect(poller.onFailure.map((f) => [f.KinesisBatchInfo.batchSize, f.requestContext.approximateInvokeCount])).to.deep.equal([[2, 1]]);
    expect(emulator.functions.invocationsOf("hangs").map((r) => r.outcome)).to.deep.equal(["timeout", "ok"]);
  });

  it("BisectBatchOnFunctionError halves a failing batch until the bad record is alone, and only it is discarded", async () => {
    const s = await stream(1);
    const sizes: number[] = [];
    emulator.functions.register({
      name: "bisected",
      timeoutMs: 2_000,
      handler: async (event: KinesisStreamEvent) => {
        sizes.push(event.Records.length);
        if (event.Records.some((r) => text(r) === "poison")) throw new Error("poison");
      },
    });
    const puts = await put(s.name, ["r0", "r1", "poison", "r3"]);
    const { poller } = map({ functionName: "bisected", eventSourceArn: s.arn, batchSize: 4, bisectBatchOnFunctionError: true, maximumRetryAttempts: 0, pollIntervalMs: 20 });

    await eventually("the shard is past r3", () => poller.shards[0]?.checkpoint === puts[3]!.sequenceNumber);
    // [r0 r1 poison r3] fails → [r0 r1] ok → [poison r3] fails → [poison] fails, discarded → [r3] ok
    expect(sizes).to.deep.equal([4, 2, 2, 1, 1]);
    expect(poller.onFailure.map((f) => [f.KinesisBatchInfo.startSequenceNumber, f.KinesisBatchInfo.batchSize])).to.deep.equal([[puts[2]!.sequenceNumber, 1]]);
  });

  it("disabling keeps the checkpoint; re-enabling resumes from it without re-sending processed records", async () => {
    const s = await stream(1);
    const received: string[] = [];
    emulator.functions.register({ name: "pausable", timeoutMs: 2_000, handler: async (event: KinesisStreamEvent) => void received.push(...event.Records.map(text)) });
    const first = await put(s.name, names(5, "early"));
    const { mapping, poller } = map({ functionName: "pausable", eventSourceArn: s.arn, batchSize: 10, pollIntervalMs: 20 });
    await eventually("the first 5 are processed", () => received.length === 5);

    await lambda.send(new UpdateEventSourceMappingCommand({ UUID: mapping.uuid, Enabled: false }));
    await eventually("disabled", () => mapping.state === "Disabled");
    await put(s.name, names(5, "late"));
    const polls = poller.shards[0]!.polls;
    await eventually("the poller looks three more times", () => poller.shards[0]!.polls >= polls + 3);
    expect(received, "nothing is delivered while disabled").to.have.length(5);
    expect(poller.shards[0]!.checkpoint).to.equal(first[4]!.sequenceNumber);

    await lambda.send(new UpdateEventSourceMappingCommand({ UUID: mapping.uuid, Enabled: true }));
    await eventually("the late 5 are processed", () => received.length === 10);
    expect(received).to.deep.equal([...names(5, "early"), ...names(5, "late")]);
  });

  it("a BatchSize update applies to the batches read after the update delay, not to the batch in flight nor those read before", async () => {
    const s = await stream(1);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    emulator.functions.register({ name: "resized", timeoutMs: 5_000, handler: async () => void (++calls === 1 ? await gate : await delay(30)) });
    await put(s.name, names(60));
    const { mapping, poller } = map({ functionName: "resized", eventSourceArn: s.arn, batchSize: 10, pollIntervalMs: 20 });
    await eventually("the first batch is in flight", () => poller.shards[0]?.inFlight === true);

    let appliedAt = Number.POSITIVE_INFINITY;
    mapping.onSettled(() => (appliedAt = Date.now()));
    const requestedAt = Date.now();
    const out = await lambda.send(new UpdateEventSourceMappingCommand({ UUID: mapping.uuid, BatchSize: 3 }));
    expect(out).to.include({ State: "Updating", BatchSize: 3 });
    // The batch in flight ends now, well inside the 150 ms update delay: the next read still uses 10.
    release();
    await eventually("all 60 processed", () => poller.shards[0]?.recordsProcessed === 60);

    const [inFlight, ...later] = poller.batches;
    expect(inFlight).to.include({ size: 10, batchSizeSetting: 10 });
    const readBeforeApplied = later.filter((b) => b.readAt < appliedAt);
    const readAfterApplied = later.filter((b) => b.readAt >= appliedAt);
    expect(readBeforeApplied.filter((b) => b.readAt >= requestedAt), "a batch read while the update was pending").to.not.be.empty;
    for (const batch of readBeforeApplied) expect(batch.batchSizeSetting).to.equal(10);
    expect(readAfterApplied).to.not.be.empty;
    for (const batch of readAfterApplied) expect(batch).to.include({ batchSizeSetting: 3 }).and.to.have.property("size").at.most(3);
  });

  it("throttled invocations are retried without using the retry quota", async () => {
    const s = await stream(1);
    emulator.functions.register({ name: "no-capacity", timeoutMs: 1_000, reservedConcurrency: 0, handler: async () => null });
    await put(s.name, names(2));
    const { poller } = map({ functionName: "no-capacity", eventSourceArn: s.arn, maximumRetryAttempts: 0, pollIntervalMs: 20 });

    await eventually("throttled three times", () => (poller.shards[0]?.throttles ?? 0) >= 3);
    expect(poller.onFailure).to.have.length(0);
    emulator.functions.configure("no-capacity", { reservedConcurrency: 5 });
    await eventually("both records processed", () => poller.shards[0]?.recordsProcessed === 2);
    expect(emulator.functions.counters("no-capacity").throttles).to.be.at.least(3);
  });

  it("MaximumBatchingWindowInSeconds gathers records that arrive during the window into one batch", async () => {
    const s = await stream(1);
    const batches: string[][] = [];
    emulator.functions.register({ name: "windowed", timeoutMs: 2_000, handler: async (event: KinesisStreamEvent) => void batches.push(event.Records.map(text)) });
    const { poller } = map({ functionName: "windowed", eventSourceArn: s.arn, batchSize: 100, maximumBatchingWindowInSeconds: 1, pollIntervalMs: 20 });
    await eventually("the shard is polled", () => poller.shards.length === 1);
    await put(s.name, names(3, "first"));
    await eventually("the first 3 are held in the batching window", () => poller.shards[0]?.buffered === 3);
    await put(s.name, names(2, "second"));
    await eventually("5 records processed", () => poller.shards[0]?.recordsProcessed === 5, 4_000);
    expect(batches).to.deep.equal([[...names(3, "first"), ...names(2, "second")]]);
  });

  it("StartingPosition LATEST skips the records already in the stream", async () => {
    const s = await stream(1);
    const received: string[] = [];
    emulator.functions.register({ name: "latest", timeoutMs: 2_000, handler: async (event: KinesisStreamEvent) => void received.push(...event.Records.map(text)) });
    await put(s.name, ["before"]);
    const { poller } = map({ functionName: "latest", eventSourceArn: s.arn, startingPosition: "LATEST", pollIntervalMs: 20 });
    // The second turn of the loop begins once the first read, from LATEST, is done.
    await eventually("the shard has been read once", () => (poller.shards[0]?.polls ?? 0) >= 2);
    await put(s.name, ["after"]);
    await eventually("the new record arrived", () => received.length > 0);
    expect(received).to.deep.equal(["after"]);
  });

  it("records older than MaximumRecordAgeInSeconds are discarded to the on-failure destination without invoking", async () => {
    // An emulator whose clock runs two minutes ahead: every record it reads looks 120 s old.
    const ahead = await startLambdaEmulator({ kinesisEndpoint: kinesisMock.endpoint, clock: { now: () => Date.now() + 120_000 }, controlPlaneRps: null });
    try {
      const s = await stream(1);
      let invoked = 0;
      ahead.functions.register({ name: "aged", timeoutMs: 1_000, handler: async () => void invoked++ });
      const puts = await put(s.name, names(3));
      const { poller } = ahead.createMapping({ functionName: "aged", eventSourceArn: s.arn, maximumRecordAgeInSeconds: 60, pollIntervalMs: 20 });
      await eventually("the shard is past r2", () => poller.shards[0]?.checkpoint === puts[2]!.sequenceNumber);
      expect(invoked).to.equal(0);
      expect(poller.onFailure.map((f) => [f.requestContext.condition, f.KinesisBatchInfo.batchSize])).to.deep.equal([["RecordAgeExpired", 3]]);
    } finally {
      await ahead.stop();
    }
  });

  it("stop() waits for the batch in flight", async () => {
    const s = await stream(1);
    let finished = false;
    emulator.functions.register({
      name: "long-batch",
      timeoutMs: 2_000,
      handler: async () => {
        await delay(200);
        finished = true;
      },
    });
    await put(s.name, names(1));
    const { poller } = map({ functionName: "long-batch", eventSourceArn: s.arn, pollIntervalMs: 20 });
    await eventually("the batch is in flight", () => poller.shards[0]?.inFlight === true);
    await poller.stop();
    expect(finished).to.equal(true);
    expect(poller.shards[0]).to.include({ inFlight: false, recordsProcessed: 1 });
  });
});
