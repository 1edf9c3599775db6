import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderCatalogJsonSchema, SCHEMA_FILE } from "../../runtime/catalog/json-schema";
import { generatedCatalog } from "../fixtures/generated-catalog";

const root = join(__dirname, "..", "..");
const bin = join(root, "bin", "sluice.js");

function sluiceIn(cwd: string, ...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const sluice = (...args: string[]) => sluiceIn(root, ...args);

/** A project directory holding a catalog and a stack file with these settings. */
function project(catalog: unknown, config: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "sluice-project-"));
  writeFileSync(join(dir, "estate.json"), JSON.stringify(catalog));
  const lines = Object.entries({ "aws:region": "eu-west-2", "sluice:catalog": "estate.json", ...config }).map(([k, v]) => `  ${k}: "${v}"`);
  writeFileSync(join(dir, "Pulumi.prod.yaml"), `config:\n${lines.join("\n")}\n`);
  return dir;
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

  describe("--stack: the stack's settings and the account's concurrency budget", () => {
    it("checks the shipped catalog against Pulumi.dev.yaml and prints what it reserves", () => {
      const r = sluice("validate", "--stack", "dev");
      expect(r.code).to.equal(0);
      expect(r.stdout).to.equal(
        'providers.json: 3 providers valid (2 enabled)\nstack "dev" (Pulumi.dev.yaml): reserved concurrency 29 of the 900 the account can reserve (sluice:accountConcurrencyLimit 1000 − 100 unreserved)\n',
      );
    });

    it("passes the 200-provider catalog when the account limit is large enough", () => {
      const r = sluiceIn(project(generatedCatalog(), { "sluice:accountConcurrencyLimit": "5000" }), "validate", "--stack", "prod");
      expect(r.stderr).to.equal("");
      expect(r.code).to.equal(0);
      expect(r.stdout).to.match(/^estate\.json: 200 providers valid \(180 enabled\)\nstack "prod" \(Pulumi\.prod\.yaml\): reserved concurrency 4,200 of the 4,900 /);
    });

    it("refuses it under the default limit with one line naming the sum and the largest providers", () => {
      const r = sluiceIn(project(generatedCatalog(), {}), "validate", "--stack", "prod");
      expect(r.code).to.equal(1);
      expect(r.stdout).to.equal("");
      const lines = r.stderr.trim().split("\n");
      expect(lines).to.have.length(1);
      expect(lines[0]).to.match(
        /^Pulumi\.prod\.yaml: reserved concurrency 4,200 across 200 providers exceeds the 900 the account can reserve \(sluice:accountConcurrencyLimit 1000 − 100 AWS keeps unreserved\); largest: (provider-\d{3} \d+, ){4}provider-\d{3} \d+ and 195 more$/,
      );
    });

    it("refuses a new account's limit of 10, where nothing can be reserved", () => {
      const r = sluiceIn(project({ providers: [{ id: "solo", maxConcurrency: 1, worker: { module: "chaos" } }] }, { "sluice:accountConcurrencyLimit": "10" }), "validate", "--stack", "prod");
      expect(r.code).to.equal(1);
      expect(r.stderr.trim()).to.equal(
        "Pulumi.prod.yaml: reserved concurrency 3 across 1 provider exceeds the 0 the account can reserve (sluice:accountConcurrencyLimit 10 − 100 AWS keeps unreserved); largest: solo 3",
      );
    });

    it("reports bad settings and a missing stack file by name, one line each", () => {
      const bad = sluiceIn(project({ providers: [] }, { "sluice:accountConcurrencyLimit": "lots", "aws:region": "" }), "validate", "--stack", "prod");
      expect(bad.code).to.equal(1);
      expect(bad.stderr.trim().split("\n")).to.deep.equal([
        "aws:region is not set: run `pulumi config set aws:region <region>`",
        'sluice:accountConcurrencyLimit "lots" must be a whole number from 1 to 10000000',
      ]);
      const missing = sluice("validate", "--stack", "nowhere");
      expect(missing.code).to.equal(1);
      expect(missing.stderr.trim()).to.equal("Pulumi.nowhere.yaml: no such file (the stack's settings; `pulumi config set aws:region <region>` creates it)");
    });
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
