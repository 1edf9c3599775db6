import { expect } from "chai";
import * as path from "node:path";
import { loadCatalog } from "../../runtime/catalog/load";
import { workerModuleProblems } from "../../runtime/workers/user/load";
import { runCli } from "../cli/support";

const CATALOG = path.join(__dirname, "fixtures", "catalog.json");

describe("a provider's own worker module, as validate loads it", () => {
  const problems = workerModuleProblems(loadCatalog(CATALOG), CATALOG);
  const of = (id: string) => problems.filter((p) => p.includes(`provider "${id}"`));

  it("passes a module exporting a worker whose settings fit its schema", () => expect(of("good")).to.deep.equal([]));

  const cases: [string, RegExp][] = [
    ["missing", /^catalog\.json: provider "missing" \(#2\): worker\.module "\.\/modules\/missing\.ts": no such file \(.*modules\/missing\.ts\)$/],
    ["no-export", /^catalog\.json: provider "no-export" \(#3\): worker\.module "\.\/modules\/no-export\.ts" exports no worker: add `export default defineWorker\(\.\.\.\)`$/],
    ["not-a-worker", /^catalog\.json: provider "not-a-worker" \(#4\): worker\.module "\.\/modules\/not-a-worker\.ts": its default export is a function, not a worker: wrap it in defineWorker\(\.\.\.\) from "sluice\/worker"$/],
    ["throws", /^catalog\.json: provider "throws" \(#5\): worker\.module "\.\/modules\/throws\.ts" could not be loaded: boom while loading$/],
  ];
  for (const [id, line] of cases) {
    it(`names ${id} in one line`, () => {
      expect(of(id)).to.have.length(1);
      expect(of(id)[0]).to.match(line);
    });
  }

  it("names each setting that fails the worker's own schema, one line each", () => {
    expect(of("bad-settings").sort()).to.deep.equal([
      'catalog.json: provider "bad-settings" (#6): worker.settings.baseUrl "http://plain.example": expected an https URL (plain http only to localhost)',
      'catalog.json: provider "bad-settings" (#6): worker.settings.pageSize 0 is below the minimum 1',
    ]);
  });

  it("sluice validate prints exactly those lines, without a stack trace, and exits 1", async function () {
    this.timeout(60_000);
    const result = await runCli(["validate", "--catalog", CATALOG]);
    expect(result.code).to.equal(1);
    expect(result.stderr.trim().split("\n")).to.deep.equal(problems);
    expect(result.stderr).to.not.match(/\n\s+at /);
  });
});
