import { expect } from "chai";
import { decodeRecord, encodeStreamRecord, isKinesisBatch, isScheduledEvent } from "../../runtime/ventilator/records";
import { kinesisEvent, scheduled } from "./fixtures";

describe("stream records", () => {
  const cases: [string, unknown, RegExp | null][] = [
    ["a record with an id", { id: "r-1" }, null],
    ["a record with payload and ad-hoc mark", { id: "r-2", payload: { isin: "X" }, adHoc: true }, null],
    ["bytes that are not JSON", "{nope", /^malformed: data is not JSON$/],
    ["JSON without an id", { payload: 1 }, /^malformed: id: /],
    ["an empty id", { id: "" }, /^malformed: id: /],
  ];
  for (const [name, data, malformed] of cases) {
    it(`decodes ${name}`, () => {
      const event = kinesisEvent([typeof data === "string" ? data : encodeStreamRecord(data as never)]);
      const decoded = decodeRecord(event.Records[0]!);
      if (malformed) expect(decoded).to.deep.include({ kind: "malformed" }).and.to.have.property("reason").that.matches(malformed);
      else expect(decoded).to.deep.equal({ kind: "record", sequenceNumber: event.Records[0]!.kinesis.sequenceNumber, record: data });
    });
  }

  it("tells a Kinesis batch from a scheduled event", () => {
    expect(isKinesisBatch(kinesisEvent([{ id: "a" }]))).to.equal(true);
    expect(isKinesisBatch(scheduled)).to.equal(false);
    expect(isScheduledEvent(scheduled)).to.equal(true);
    expect(isScheduledEvent({ Records: [] })).to.equal(false);
  });
});
