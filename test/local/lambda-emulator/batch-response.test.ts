import { expect } from "chai";
import { readBatchResponse, type BatchVerdict } from "../../../local/lambda-emulator/batch-response";

const batch = ["100", "105", "230", "231"];

describe("reading a ReportBatchItemFailures answer", () => {
  const table: { name: string; payload: unknown; expected: BatchVerdict["kind"]; firstFailedIndex?: number }[] = [
    { name: "null is success", payload: null, expected: "success" },
    { name: "an empty object is success", payload: {}, expected: "success" },
    { name: "a null list is success", payload: { batchItemFailures: null }, expected: "success" },
    { name: "an empty list is success", payload: { batchItemFailures: [] }, expected: "success" },
    { name: "a string answer is success", payload: "done", expected: "success" },
    { name: "one failure points at its record", payload: { batchItemFailures: [{ itemIdentifier: "230" }] }, expected: "partial", firstFailedIndex: 2 },
    {
      name: "several failures point at the lowest sequence number, whatever their order",
      payload: { batchItemFailures: [{ itemIdentifier: "231" }, { itemIdentifier: "105" }, { itemIdentifier: "230" }] },
      expected: "partial",
      firstFailedIndex: 1,
    },
    { name: "an empty identifier fails the batch", payload: { batchItemFailures: [{ itemIdentifier: "" }] }, expected: "malformed" },
    { name: "a null identifier fails the batch", payload: { batchItemFailures: [{ itemIdentifier: null }] }, expected: "malformed" },
    { name: "a wrongly named key fails the batch", payload: { batchItemFailures: [{ itemId: "105" }] }, expected: "malformed" },
    { name: "an identifier not in the batch fails the batch", payload: { batchItemFailures: [{ itemIdentifier: "999" }] }, expected: "malformed" },
    { name: "a list that is not a list fails the batch", payload: { batchItemFailures: { itemIdentifier: "105" } }, expected: "malformed" },
  ];
  for (const row of table) {
    it(row.name, () => {
      const verdict = readBatchResponse(row.payload, batch);
      expect(verdict.kind).to.equal(row.expected);
      if (verdict.kind === "partial") expect(verdict.firstFailedIndex).to.equal(row.firstFailedIndex);
    });
  }
});
