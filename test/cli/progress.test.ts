import { expect } from "chai";
import { PassThrough } from "node:stream";
import { startProgress } from "../../cli/progress";

function fakeStream(isTTY: boolean): PassThrough & { isTTY: boolean; columns: number; text(): string } {
  const chunks: string[] = [];
  const stream = Object.assign(new PassThrough(), { isTTY, columns: 120, text: () => chunks.join("") });
  stream.on("data", (c: Buffer) => chunks.push(c.toString("utf8")));
  return stream;
}

describe("progress bar", () => {
  it("draws on a terminal for large work, and clears itself when done", async () => {
    const stream = fakeStream(true);
    const progress = startProgress({ unit: "records", label: "enqueue", total: 3_000, minTotal: 1_000, enabled: true, stream });
    progress.update(1_500);
    progress.stop();
    await new Promise((r) => setImmediate(r));
    expect(stream.text()).to.match(/enqueue \[[^\]]*\] 50% \| 1500\/3000 records/);
  });

  const silent: [string, { isTTY: boolean; total: number; enabled: boolean }][] = [
    ["stderr is not a terminal (a scheduler, a pipe)", { isTTY: false, total: 3_000, enabled: true }],
    ["the work is small", { isTTY: true, total: 999, enabled: true }],
    ["--no-progress", { isTTY: true, total: 3_000, enabled: false }],
  ];
  for (const [why, o] of silent) {
    it(`writes nothing when ${why}`, async () => {
      const stream = fakeStream(o.isTTY);
      const progress = startProgress({ unit: "records", label: "enqueue", total: o.total, minTotal: 1_000, enabled: o.enabled, stream });
      progress.update(500);
      progress.stop();
      await new Promise((r) => setImmediate(r));
      expect(stream.text()).to.equal("");
    });
  }
});
