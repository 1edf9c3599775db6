import { expect } from "chai";
import fc from "fast-check";
import { parseRecordLines } from "../../cli/record-lines";

const NOW = 1_790_000_000_000;
const parse = (text: string, adHoc = false) => parseRecordLines(text, { adHoc, now: NOW });

describe("enqueue input lines", () => {
  const accepted: { name: string; text: string; ids: string[]; payloads?: unknown[]; blank?: number; duplicates?: number; conflicting?: number }[] = [
    { name: "bare ids, one per line", text: "a\nb\nc\n", ids: ["a", "b", "c"] },
    { name: "no final newline", text: "a\nb", ids: ["a", "b"] },
    { name: "CRLF line ends and a BOM", text: "\uFEFFa\r\nb\r\n", ids: ["a", "b"] },
    { name: "blank and whitespace-only lines are skipped and counted", text: "a\n\n   \nb\n\t\n", ids: ["a", "b"], blank: 3 },
    { name: "ids are trimmed", text: "  a  \n\tb\n", ids: ["a", "b"] },
    { name: "JSON lines with and without payload", text: '{"id":"a","payload":{"n":1}}\n{"id":"b"}\n', ids: ["a", "b"], payloads: [{ n: 1 }, undefined] },
    { name: "a null payload is a payload", text: '{"id":"a","payload":null}\n', ids: ["a"], payloads: [null] },
    { name: "bare and JSON lines mixed", text: 'a\n{"id":"b","payload":[1,2]}\n', ids: ["a", "b"], payloads: [undefined, [1, 2]] },
    { name: "a repeated id is sent once, first line wins", text: "a\nb\na\na\n", ids: ["a", "b"], duplicates: 2 },
    {
      name: "a repeated id with another payload is counted as conflicting",
      text: '{"id":"a","payload":1}\n{"id":"a","payload":2}\n{"id":"a","payload":1}\na\n',
      ids: ["a"],
      payloads: [1],
      duplicates: 3,
      conflicting: 2,
    },
    { name: "a bare id and the same id in JSON are duplicates", text: 'a\n{"id":"a"}\n', ids: ["a"], duplicates: 1 },
    { name: "an id of 256 characters (the partition key limit) is fine", text: "x".repeat(256), ids: ["x".repeat(256)] },
    { name: "an empty input has no records", text: "", ids: [] },
    { name: "only blank lines", text: "\n\n\n", ids: [], blank: 3 },
  ];
  for (const c of accepted) {
    it(`accepts: ${c.name}`, () => {
      const r = parse(c.text);
      expect(r.problems).to.deep.equal([]);
      expect(r.records.map((x) => x.id)).to.deep.equal(c.ids);
      if (c.payloads) expect(r.records.map((x) => x.payload)).to.deep.equal(c.payloads);
      expect(r.blankLines).to.equal(c.blank ?? 0);
      expect(r.duplicates).to.equal(c.duplicates ?? 0);
      expect(r.conflictingDuplicates).to.equal(c.conflicting ?? 0);
    });
  }

  const refused: { name: string; text: string; problems: { line: number; message: RegExp }[] }[] = [
    { name: "malformed JSON, with its line and column", text: 'a\n\n{"id": "b",,}\nc\n', problems: [{ line: 3, message: /^invalid JSON: .* at column 12$/ }] },
    { name: "a JSON line without id", text: '{"payload": 1}\n', problems: [{ line: 1, message: /^missing "id"$/ }] },
    { name: "a non-string id", text: '{"id": 42}\n', problems: [{ line: 1, message: /^"id" must be a string, got 42$/ }] },
    { name: "an empty JSON id", text: '{"id": "  "}\n', problems: [{ line: 1, message: /^"id" is empty$/ }] },
    { name: "unknown fields (a typo is not a record without id)", text: '{"ID": "a", "adHoc": true}\n', problems: [{ line: 1, message: /^unknown fields "ID", "adHoc": a line holds only "id" and "payload"$/ }] },
    { name: "a line starting with { that is not an object", text: "{\n", problems: [{ line: 1, message: /^invalid JSON/ }] },
    { name: "an id longer than the partition key limit", text: "x".repeat(257) + "\n", problems: [{ line: 1, message: /^id of 257 characters is longer than 256/ }] },
    { name: "a record over 1 MiB", text: JSON.stringify({ id: "big", payload: "y".repeat(1024 * 1024) }) + "\n", problems: [{ line: 1, message: /exceeds the 1048576-byte Kinesis record limit/ }] },
    {
      name: "every bad line, not just the first",
      text: '{"id":1}\nok\n{bad\n{"x":1}\n',
      problems: [
        { line: 1, message: /must be a string/ },
        { line: 3, message: /invalid JSON/ },
        { line: 4, message: /unknown field "x"/ },
      ],
    },
  ];
  for (const c of refused) {
    it(`refuses: ${c.name}`, () => {
      const r = parse(c.text);
      expect(r.problems.map((p) => p.line)).to.deep.equal(c.problems.map((p) => p.line));
      r.problems.forEach((p, i) => expect(p.message).to.match(c.problems[i]!.message));
    });
  }

  it("takes a bracketed line for a bare id (only { starts JSON)", () => {
    expect(parse("[1,2]\n").records.map((r) => r.id)).to.deep.equal(["[1,2]"]);
  });

  it("stamps enqueuedAt and marks ad-hoc records only when asked", () => {
    expect(parse("a\n").records).to.deep.equal([{ id: "a", enqueuedAt: NOW }]);
    expect(parse('{"id":"a","payload":{"k":"v"}}\n', true).records).to.deep.equal([{ id: "a", payload: { k: "v" }, adHoc: true, enqueuedAt: NOW }]);
  });

  it("gives each record its input line", () => {
    expect(parse("\na\n\nb\na\nc\n").lines).to.deep.equal([2, 4, 6]);
  });

  it("keeps every distinct id exactly once, in first-seen order", () => {
    const id = fc.stringMatching(/^[a-z0-9-]{1,12}$/);
    fc.assert(
      fc.property(fc.array(fc.oneof(id, fc.constant("")), { maxLength: 60 }), (lines) => {
        const r = parse(lines.join("\n"));
        const expected = [...new Set(lines.filter((l) => l !== ""))];
        expect(r.records.map((x) => x.id)).to.deep.equal(expected);
        expect(r.records.length + r.duplicates + r.blankLines).to.equal(lines.length - (lines.at(-1) === "" ? 1 : 0));
      }),
    );
  });
});
