import { expect } from "chai";
import { DescribeStreamSummaryCommand, GetRecordsCommand, GetShardIteratorCommand, ListStreamsCommand, PutRecordCommand } from "@aws-sdk/client-kinesis";
import { kinesisClient } from "../../../runtime/aws/clients";
import { createStream, startKinesisMock } from "../../../local/engines/kinesis";

describe("kinesis-mock launcher", function () {
  this.timeout(30_000);

  it("starts two engines side by side on free ports, each answering the production Kinesis client, and stops them", async () => {
    const [a, b] = await Promise.all([startKinesisMock(), startKinesisMock()]);
    try {
      expect(a.port).to.not.equal(b.port);
      expect(a.endpoint).to.equal(`http://127.0.0.1:${a.port}`);
      const client = kinesisClient({ endpoint: a.endpoint });
      try {
        // The readiness marker stream is gone: a fresh engine lists nothing.
        expect((await client.send(new ListStreamsCommand({}))).StreamNames).to.deep.equal([]);
        const { streamArn } = await createStream(client, "launcher", 2);
        expect(streamArn).to.equal("arn:aws:kinesis:us-east-1:000000000000:stream/launcher");
        const summary = await client.send(new DescribeStreamSummaryCommand({ StreamName: "launcher" }));
        expect(summary.StreamDescriptionSummary).to.include({ StreamStatus: "ACTIVE", OpenShardCount: 2 });

        const put = await client.send(new PutRecordCommand({ StreamName: "launcher", PartitionKey: "k", Data: Buffer.from("hi") }));
        const { ShardIterator } = await client.send(
          new GetShardIteratorCommand({ StreamName: "launcher", ShardId: put.ShardId, ShardIteratorType: "AT_SEQUENCE_NUMBER", StartingSequenceNumber: put.SequenceNumber }),
        );
        const read = await client.send(new GetRecordsCommand({ ShardIterator }));
        expect(Buffer.from(read.Records![0]!.Data!).toString()).to.equal("hi");
      } finally {
        client.destroy();
      }
      const other = kinesisClient({ endpoint: b.endpoint });
      try {
        expect((await other.send(new ListStreamsCommand({}))).StreamNames, "engines do not share state").to.deep.equal([]);
      } finally {
        other.destroy();
      }
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    const gone = kinesisClient({ endpoint: a.endpoint, maxAttempts: 1 });
    try {
      const error = await gone.send(new ListStreamsCommand({})).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(error, "nothing answers after stop()").to.be.instanceOf(Error);
    } finally {
      gone.destroy();
    }
  });
});
