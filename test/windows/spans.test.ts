import { expect } from "chai";
import fc from "fast-check";
import { clip, containing, subtract, union, type Span } from "../../runtime/windows/spans";

const s = (start: number, end: number): Span => ({ start, end });

describe("windows/spans", () => {
  const unions: { name: string; input: Span[]; out: Span[] }[] = [
    { name: "sorts and keeps disjoint spans", input: [s(5, 6), s(1, 2)], out: [s(1, 2), s(5, 6)] },
    { name: "merges overlapping spans", input: [s(1, 4), s(3, 6)], out: [s(1, 6)] },
    { name: "merges touching spans: a close and an open at one instant are no close", input: [s(1, 3), s(3, 5)], out: [s(1, 5)] },
    { name: "swallows a span inside another", input: [s(1, 9), s(3, 4)], out: [s(1, 9)] },
    { name: "drops empty spans", input: [s(2, 2), s(4, 5)], out: [s(4, 5)] },
  ];
  for (const row of unions) it(`union ${row.name}`, () => expect(union(row.input)).to.deep.equal(row.out));

  const cuts: { name: string; from: Span[]; cut: Span[]; out: Span[] }[] = [
    { name: "a hole in the middle", from: [s(0, 10)], cut: [s(3, 5)], out: [s(0, 3), s(5, 10)] },
    { name: "the start", from: [s(0, 10)], cut: [s(-2, 4)], out: [s(4, 10)] },
    { name: "the end", from: [s(0, 10)], cut: [s(8, 12)], out: [s(0, 8)] },
    { name: "everything", from: [s(0, 10)], cut: [s(0, 10)], out: [] },
    { name: "one cut across two spans", from: [s(0, 4), s(6, 10)], cut: [s(3, 7)], out: [s(0, 3), s(7, 10)] },
    { name: "nothing when cuts miss", from: [s(0, 4)], cut: [s(4, 6)], out: [s(0, 4)] },
  ];
  for (const row of cuts) it(`subtract removes ${row.name}`, () => expect(subtract(row.from, row.cut)).to.deep.equal(row.out));

  it("clip keeps the part inside the frame", () => {
    expect(clip(s(-5, 5), s(0, 10))).to.deep.equal(s(0, 5));
    expect(clip(s(8, 15), s(0, 10))).to.deep.equal(s(8, 10));
  });

  it("containing is half-open: the start is inside, the end is not", () => {
    expect(containing([s(1, 3)], 1)).to.deep.equal(s(1, 3));
    expect(containing([s(1, 3)], 3)).to.equal(undefined);
  });

  it("union and subtract agree with point membership on a small grid", () => {
    const span = fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 12 })).map(([a, len]) => s(a, a + len));
    fc.assert(
      fc.property(fc.array(span, { maxLength: 6 }), fc.array(span, { maxLength: 6 }), (a, b) => {
        const open = subtract(union(a), union(b));
        for (let i = 1; i < open.length; i++) expect(open[i]!.start).to.be.at.least(open[i - 1]!.end);
        for (let x = 0; x < 45; x++) {
          const inA = a.some((v) => v.start <= x && x < v.end);
          const inB = b.some((v) => v.start <= x && x < v.end);
          expect(containing(open, x) !== undefined, `point ${x}`).to.equal(inA && !inB);
        }
      }),
      { numRuns: 300 },
    );
  });
});
