import { expect } from "chai";
import { build } from "esbuild";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { workerSchema } from "../../runtime/catalog/schema";
import { WORKER_MODULES, workerEntry } from "../../runtime/workers/registry";

describe("worker registry", () => {
  it("knows exactly the built-in worker modules the catalog schema names", () => {
    const catalogModules = workerSchema.options.flatMap((o) => ("value" in o.shape.module ? [o.shape.module.value] : [])).sort();
    expect([...WORKER_MODULES].sort()).to.deep.equal(catalogModules);
  });

  for (const module of WORKER_MODULES) {
    it(`points "${module}" at an existing Lambda entry exporting handler`, () => {
      const entry = workerEntry(module);
      expect(path.isAbsolute(entry)).to.equal(true);
      expect(existsSync(entry), entry).to.equal(true);
      const loaded = require(entry) as { handler?: unknown };
      expect(loaded.handler).to.be.a("function");
    });
  }

  it("bundles every entry for Node 22 with esbuild into a module exporting handler", async function () {
    this.timeout(30_000);
    const dir = mkdtempSync(path.join(tmpdir(), "sluice-worker-bundle-"));
    try {
      for (const module of WORKER_MODULES) {
        const outfile = path.join(dir, `${module}.js`);
        const out = await build({ entryPoints: [workerEntry(module)], bundle: true, platform: "node", target: "node22", format: "cjs", outfile, logLevel: "silent" });
        expect(out.errors, module).to.deep.equal([]);
        expect((require(outfile) as { handler?: unknown }).handler, module).to.be.a("function");
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses a module it does not know, listing the known ones", () => {
    expect(() => workerEntry("ftp" as never)).to.throw(RangeError, /"ftp".*chaos, http/);
  });
});
