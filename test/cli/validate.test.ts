import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderCatalogJsonSchema, SCHEMA_FILE } from "../../runtime/catalog/json-schema";

const root = join(__dirname, "..", "..");
const bin = join(root, "bin", "sluice.js");

function sluice(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tempFile(name: string, content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "sluice-")), name);
  writeFileSync(path, content);
  return path;
}

describe("sluice validate", function () {
  this.timeout(30_000);

  it("passes on the shipped catalog", () => {
    const r = sluice("validate");
    expect(r.code).to.equal(0);
    expect(r.stdout).to.match(/providers\.json: 3 providers valid \(2 enabled\)/);
  });

  it("prints one line per problem and exits 1", () => {
    const path = tempFile(
      "providers.json",
      JSON.stringify({ providers: [{ id: "ok", maxConcurrency: 2, worker: { module: "chaos" } }, { id: "acme", maxConcurrency: 10, maxFanOut: 12, worker: { module: "chaos" }, timezone: "Nowhere/City" }] }),
    );
    const r = sluice("validate", "--catalog", path);
    expect(r.code).to.equal(1);
    expect(r.stdout).to.equal("");
    expect(r.stderr.trim().split("\n")).to.deep.equal([
      'providers.json: provider "acme" (#2): timezone "Nowhere/City" is not a known IANA time zone',
      'providers.json: provider "acme" (#2): maxFanOut 12 exceeds maxConcurrency 10',
    ]);
  });

  it("accepts an old field name with a deprecation line on stderr", () => {
    const path = tempFile("providers.json", JSON.stringify({ providers: [{ id: "old", maxConcurrency: 4, maxBatchSize: 2, worker: { module: "chaos" } }] }));
    const r = sluice("validate", "--catalog", path);
    expect(r.code).to.equal(0);
    expect(r.stdout).to.match(/1 providers valid/);
    expect(r.stderr.trim()).to.equal('warning: providers.json: provider "old" (#1): maxBatchSize is deprecated: rename it to maxFanOut (the fan-out limit, calls one batch may have in flight)');
  });

  it("gives the line and column of invalid JSON", () => {
    const path = tempFile("broken.json", '{\n  "providers": [\n    { "id": "a" ,, }\n  ]\n}\n');
    const r = sluice("validate", "--catalog", path);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/^broken\.json: invalid JSON at line 3, column 18: /);
    expect(r.stderr.trim().split("\n")).to.have.length(1);
  });

  it("reports an unreadable file without a stack trace", () => {
    const missing = sluice("validate", "--catalog", "/nonexistent/providers.json");
    expect(missing.code).to.equal(1);
    expect(missing.stderr.trim()).to.equal("providers.json: cannot read /nonexistent/providers.json: no such file");
    const dir = sluice("validate", "--catalog", tmpdir());
    expect(dir.code).to.equal(1);
    expect(dir.stderr).to.match(/is a directory/);
  });

  it("has help", () => {
    const r = sluice("--help");
    expect(r.code).to.equal(0);
    expect(r.stdout).to.match(/validate/);
  });

  it("rejects an unknown command with exit 1", () => {
    const r = sluice("frobnicate");
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/unknown command/);
  });

  it("keeps the committed JSON Schema in sync with the zod definition", () => {
    expect(readFileSync(join(root, SCHEMA_FILE), "utf8")).to.equal(renderCatalogJsonSchema());
    const catalog = JSON.parse(readFileSync(join(root, "providers.json"), "utf8"));
    expect(catalog.$schema).to.equal(`./${SCHEMA_FILE}`);
  });
});
