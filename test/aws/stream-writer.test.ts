import { expect } from "chai";
import fc from "fast-check";
import { request as httpRequest } from "node:http";
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  type KinesisClient,
} from "@aws-sdk/client-kinesis";
import { kinesisClient } from "../../runtime/aws/clients";
import { chunkBySize, KINESIS_LIMITS, putRecordsReliably } from "../../runtime/aws/stream-writer";
import { createStream, startKinesisMock, type KinesisMock } from "../../local/engines/kinesis";
import { recordingSleep, sendAwsError, startServer, type Fixture } from "./http-fixture";

describe("chunkBySize", () => {
  it("keeps order and items, and every chunk within both limits", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 100 }), { maxLength: 200 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 100, max: 500 }),
        (sizes, maxCount, maxBytes) => {
          const items = sizes.map((size, i) => ({ size, i }));
          const chunks = chunkBySize(items, maxCount, maxBytes);
          expect(chunks.flat()).to.deep.equal(items);
          for (const chunk of chunks) {
            expect(chunk.length).to.be.within(1, maxCount);
            expect(chunk.reduce((s, x) => s + x.size, 0)).to.be.at.most(maxBytes);
          }
        },
      ),
    );
  });

  it("starts a new chunk only when the next item would not fit", () => {
    const chunks = chunkBySize([3, 3, 3, 1, 5].map((size) => ({ size })), 10, 7);
    expect(chunks.map((c) => c.map((x) => x.size))).to.deep.equal([[3, 3], [3, 1], [5]]);
  });
});

/** What a PutRecords call through the proxy should suffer; `data` are the records' decoded payloads. */
type Fault = (call: number, data: string[]) => { rejectCall?: { status: number; type: string }; failData?: Set<string> } | undefined;

/**
 * A proxy in front of kinesis-mock that injects the failures kinesis-mock never
 * produces: whole-call throttles, and partial failures (records withheld from
 * the engine and reported failed with an ErrorCode, as Kinesis does).
 */
async function faultProxy(upstream: string, fault: () => Fault): Promise<Fixture & { putCalls: number[] }> {
  const putCalls: number[] = [];
  const target = new URL(upstream);
  const fixture = await startServer(async (req, res, body) => {
    const isPut = req.headers["x-amz-target"] === "Kinesis_20131202.PutRecords";
    let forward = body;
    let failed: Set<number> = new Set();
    let count = 0;
    if (isPut) {
      const parsed = JSON.parse(body.toString("utf8")) as { StreamName: string; Records: { Data: string; PartitionKey: string }[] };
      count = parsed.Records.length;
      putCalls.push(count);
      const data = parsed.Records.map((r) => Buffer.from(r.Data, "base64").toString("utf8"));
      const plan = fault()(putCalls.length, data);
      if (plan?.rejectCall) return sendAwsError(res, plan.rejectCall.status, plan.rejectCall.type, "Rate exceeded for shard", "json-1.1");
      failed = new Set(data.flatMap((d, i) => (plan?.failData?.has(d) ? [i] : [])));
      forward = Buffer.from(JSON.stringify({ ...parsed, Records: parsed.Records.filter((_, i) => !failed.has(i)) }));
    }
    const upstreamAnswer = await new Promise<{ status: number; headers: Record<string, string>; body: Buffer }>((resolve, reject) => {
      const headers = { ...req.headers, host: target.host, "content-length": String(forward.length) };
      const up = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (r) => {
        const chunks: Buffer[] = [];
        r.on("data", (c: Buffer) => chunks.push(c));
        r.on("end", () => resolve({ status: r.statusCode ?? 500, headers: { "content-type": String(r.headers["content-type"] ?? "application/x-amz-json-1.1") }, body: Buffer.concat(chunks) }));
      });
      up.on("error", reject);
      up.end(forward);
    });
    let answer = upstreamAnswer.body;
    if (isPut && failed.size > 0 && upstreamAnswer.status === 200) {
      const landed = (JSON.parse(answer.toString("utf8")) as { Records: object[] }).Records;
      const records: object[] = [];
      for (let i = 0, j = 0; i < count; i++) {
        records.push(failed.has(i) ? { ErrorCode: "ProvisionedThroughputExceededException", ErrorMessage: "Rate exceeded for shard shardId-000000000000" } : landed[j++]!);
      }
      answer = Buffer.from(JSON.stringify({ FailedRecordCount: failed.size, Records: records }));
    }
    res.writeHead(upstreamAnswer.status, { ...upstreamAnswer.headers, "content-length": answer.length });
    res.end(answer);
  });
  return Object.assign(fixture, { putCalls });
}

/** Every record in the stream, read back from every shard. */
async function readAll(client: KinesisClient, streamName: string): Promise<string[]> {
  const shards = (await client.send(new ListShardsCommand({ StreamName: streamName }))).Shards ?? [];
  const all: string[] = [];
  for (const shard of shards) {
    let iterator = (await client.send(new GetShardIteratorCommand({ StreamName: streamName, ShardId: shard.ShardId!, ShardIteratorType: "TRIM_HORIZON" }))).ShardIterator;
    for (;;) {
      const out = await client.send(new GetRecordsCommand({ ShardIterator: iterator! }));
      const records = out.Records ?? [];
      all.push(...records.map((r) => Buffer.from(r.Data!).toString("utf8")));
      if (records.length === 0 || !out.NextShardIterator) break;
      iterator = out.NextShardIterator;
    }
  }
  return all;
}

describe("putRecordsReliably against kinesis-mock", function () {
  this.timeout(60_000);
  let engine: KinesisMock;
  let client: KinesisClient;
  let proxy: Fixture & { putCalls: number[] };
  let proxied: KinesisClient;
  let fault: Fault = () => undefined;
  let streamNo = 0;

  before(async () => {
    engine = await startKinesisMock();
    client = kinesisClient({ endpoint: engine.endpoint, maxAttempts: 1 });
    proxy = await faultProxy(engine.endpoint, () => fault);
    proxied = kinesisClient({ endpoint: proxy.url, maxAttempts: 1 });
  });
  after(async () => {
    client?.destroy();
    proxied?.destroy();
    await proxy?.close();
    await engine?.stop();
  });
  beforeEach(() => {
    fault = () => undefined;
    proxy.putCalls.length = 0;
  });

  const newStream = async (shards = 2) => {
    const name = `writer-${++streamNo}`;
    await createStream(client, name, shards);
    return name;
  };
  const ids = (n: number, prefix = "rec") => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

  it("sends 1,234 records in calls of at most 500, each landing exactly once", async () => {
    const stream = await newStream();
    const progress: number[] = [];
    const data = ids(1_234);
    const { sleep, slept } = recordingSleep();
    const report = await putRecordsReliably(
      proxied,
      stream,
      data.map((d) => ({ data: d, partitionKey: d })),
      { sleep, onProgress: (sent) => progress.push(sent) },
    );
    expect(report).to.deep.equal({ sent: 1_234, retried: 0, failed: [] });
    expect(proxy.putCalls).to.deep.equal([500, 500, 234]);
    expect(progress).to.deep.equal([500, 1_000, 1_234]);
    expect(slept).to.deep.equal([]);
    expect((await readAll(client, stream)).sort()).to.deep.equal([...data].sort());
  });

  it("splits calls at 5 MiB", async () => {
    const stream = await newStream(1);
    // kinesis-mock takes about a second per MB: the fewest records that cross 5 MiB.
    const entries = Array.from({ length: 6 }, (_, i) => ({ data: new Uint8Array(1_000_000).fill(65 + i), partitionKey: `k${i}` }));
    const report = await putRecordsReliably(proxied, stream, entries, { sleep: recordingSleep().sleep });
    expect(report).to.deep.equal({ sent: 6, retried: 0, failed: [] });
    // 5 × 1,000,002 bytes fit in 5 MiB (5,242,880), 6 do not.
    expect(proxy.putCalls).to.deep.equal([5, 1]);
  });

  it("rejects a record over 1 MiB or with a bad partition key, and still sends the others", async () => {
    const stream = await newStream(1);
    const entries = [
      { data: "a", partitionKey: "a" },
      { data: new Uint8Array(KINESIS_LIMITS.bytesPerRecord), partitionKey: "big" },
      { data: "b", partitionKey: "" },
      { data: "c", partitionKey: "k".repeat(257) },
      { data: "d", partitionKey: "d" },
    ];
    const report = await putRecordsReliably(proxied, stream, entries, { sleep: recordingSleep().sleep });
    expect(report.sent).to.equal(2);
    expect(report.failed.map((f) => f.index)).to.deep.equal([1, 2, 3]);
    expect(report.failed[0]!.reason).to.contain("exceeds").and.contain(String(KINESIS_LIMITS.bytesPerRecord));
    expect(report.failed[1]!.reason).to.contain("partitionKey length 0");
    expect((await readAll(client, stream)).sort()).to.deep.equal(["a", "d"]);
  });

  it("re-sends only the records a partial failure reported, with backoff", async () => {
    const stream = await newStream();
    const data = ids(600);
    const flaky = new Set(["rec-3", "rec-499", "rec-550"]);
    // Call 1 (records 0–499) loses rec-3 and rec-499; calls 3 and 4 (the second chunk and its first retry) lose rec-550.
    fault = (call) => (call === 1 ? { failData: flaky } : call === 3 || call === 4 ? { failData: new Set(["rec-550"]) } : undefined);
    const { sleep, slept } = recordingSleep();
    const report = await putRecordsReliably(proxied, stream, data.map((d) => ({ data: d, partitionKey: d })), { sleep, random: () => 0.5, backoffBaseMs: 100 });
    expect(report).to.deep.equal({ sent: 600, retried: 4, failed: [] });
    // Chunk 1: 500, then its 2 failures; chunk 2: 100, then its 1 failure, failing again once.
    expect(proxy.putCalls).to.deep.equal([500, 2, 100, 1, 1]);
    expect(slept).to.deep.equal([50, 50, 100]);
    const landed = await readAll(client, stream);
    expect(landed).to.have.length(600);
    expect(new Set(landed).size).to.equal(600);
  });

  it("re-sends the whole chunk after a whole-call ProvisionedThroughputExceededException", async () => {
    const stream = await newStream();
    fault = (call) => (call === 1 ? { rejectCall: { status: 400, type: "ProvisionedThroughputExceededException" } } : undefined);
    const { sleep, slept } = recordingSleep();
    const report = await putRecordsReliably(proxied, stream, ids(20).map((d) => ({ data: d, partitionKey: d })), { sleep });
    expect(report).to.deep.equal({ sent: 20, retried: 20, failed: [] });
    expect(proxy.putCalls).to.deep.equal([20, 20]);
    expect(slept).to.have.length(1);
    expect(await readAll(client, stream)).to.have.length(20);
  });

  it("returns what still failed after maxRetries, with the last error, instead of losing it", async () => {
    const stream = await newStream();
    fault = () => ({ failData: new Set(["rec-7"]) });
    const { sleep, slept } = recordingSleep();
    const report = await putRecordsReliably(proxied, stream, ids(10).map((d) => ({ data: d, partitionKey: d })), { sleep, maxRetries: 3 });
    expect(report.sent).to.equal(9);
    expect(report.retried).to.equal(3);
    expect(report.failed).to.deep.equal([{ index: 7, reason: "ProvisionedThroughputExceededException: Rate exceeded for shard shardId-000000000000" }]);
    expect(slept).to.have.length(3);
    expect(await readAll(client, stream)).to.not.include("rec-7");
  });

  it("fails every record at once, with one call, when the stream does not exist", async () => {
    const { sleep, slept } = recordingSleep();
    const report = await putRecordsReliably(proxied, "no-such-stream", ids(1_200).map((d) => ({ data: d, partitionKey: d })), { sleep });
    expect(report.sent).to.equal(0);
    expect(report.failed).to.have.length(1_200);
    expect(report.failed[0]!.reason).to.contain("ResourceNotFoundException");
    expect(proxy.putCalls).to.have.length(1);
    expect(slept).to.deep.equal([]);
  });
});
