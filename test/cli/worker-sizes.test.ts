/**
 * The bundle sizes committed in docs/workers.md are the code's: this bundles
 * every worker of the shipped catalog as the program does and compares the
 * table. A change that moves them fails here until `sluice worker sizes --write`
 * has been run and committed.
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { replaceSizesSection, SIZE_CATALOGS, sizesMarkdown, sizesSection, workerSizes, WORKERS_DOC } from "../../cli/worker-sizes";

const ROOT = path.join(__dirname, "..", "..");

describe(`${WORKERS_DOC}: the committed bundle sizes are what the code produces`, function () {
  this.timeout(120_000);

  it("lists every worker of the shipped and the examples' catalogs with its bundle's size", () => {
    const doc = readFileSync(path.join(ROOT, WORKERS_DOC), "utf8");
    const cwd = process.cwd();
    process.chdir(ROOT); // modules are named from the repository root, as the command names them
    try {
      expect(sizesSection(doc)).to.equal(sizesMarkdown(workerSizes(SIZE_CATALOGS.map((c) => path.join(ROOT, c)))));
    } finally {
      process.chdir(cwd);
    }
  });

  it("rewrites only between the markers", () => {
    const text = "intro\n<!-- sluice worker sizes -->\nold\n<!-- /sluice worker sizes -->\noutro\n";
    expect(replaceSizesSection(text, "new\n")).to.equal("intro\n<!-- sluice worker sizes -->\nnew\n<!-- /sluice worker sizes -->\noutro\n");
    expect(() => replaceSizesSection("no markers", "x")).to.throw(/has no "<!-- sluice worker sizes -->"/);
  });
});
