/**
 * docs/workers.md's walk-through, step by step, on a temporary copy of the
 * repository (its files as git sees them, node_modules linked, not installed):
 * scaffold a provider, validate, run the generated test, try a record against
 * the stub, run it in local mode (`--providers acme`), run the Pulumi program
 * under mocks (policy-check) so it bundles the new worker, and type-check the
 * new module and a broken one the way `npm test` does.
 */
import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { spawnNode, type CliResult } from "../cli/support";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..", "..");

type Ran = CliResult;

function run(cwd: string, args: string[]): Promise<Ran> {
  return spawnNode(args, { cwd, env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" } });
}

const ok = (r: Ran, what: string) => expect(r.code, `${what}\n${r.stdout}\n${r.stderr}`).to.equal(0);

/** The repository's files as git sees them (tracked, and new ones not ignored), without node_modules. */
function copyRepository(to: string): void {
  const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], { cwd: ROOT, encoding: "utf8" }).split("\0").filter(Boolean);
  for (const file of files) {
    const from = path.join(ROOT, file);
    if (!existsSync(from)) continue; // deleted in the work tree
    mkdirSync(path.dirname(path.join(to, file)), { recursive: true });
    cpSync(from, path.join(to, file));
  }
  symlinkSync(path.join(ROOT, "node_modules"), path.join(to, "node_modules"), "dir");
}

describe("docs/workers.md walk-through on a copy of the repository", function () {
  this.timeout(600_000);
  let dir: string;
  const sluice = (...args: string[]) => run(dir, [path.join(dir, "bin", "sluice.js"), ...args]);

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), "sluice-walkthrough-"));
    copyRepository(dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("sluice new provider acme scaffolds the entry, the worker, its stub and its test", async () => {
    const r = await sluice("new", "provider", "acme");
    ok(r, "new provider");
    for (const f of ["workers/acme.ts", "workers/acme.stub.ts", "test/providers/acme.test.ts"]) expect(existsSync(path.join(dir, f)), f).to.equal(true);
    const catalog = JSON.parse(readFileSync(path.join(dir, "providers.json"), "utf8")) as { providers: { id: string }[] };
    expect(catalog.providers.at(-1)!.id).to.equal("acme");
  });

  it("sluice validate passes it as generated", async () => {
    const r = await sluice("validate");
    ok(r, "validate");
    expect(r.stdout).to.match(/providers\.json: 4 providers valid/);
  });

  it("the generated test passes against the generated stub", async () => {
    const r = await run(dir, [path.join(dir, "node_modules", "mocha", "bin", "mocha.js"), "test/providers/acme.test.ts"]);
    ok(r, "mocha");
    expect(r.stdout).to.match(/3 passing/);
  });

  it("sluice worker try runs one record against the stub and shows what it would land", async () => {
    const r = await sluice("worker", "try", "--provider", "acme", "--record", "r-1", "--stub");
    ok(r, "worker try");
    expect(r.stdout).to.match(/^acme "r-1" \(day \d{4}-\d{2}-\d{2}, against its stub\): ok in \d+ ms$/m);
    expect(r.stdout).to.match(/would land: acme\/\d{4}-\d{2}-\d{2}\/r-1\.json \(application\/json; charset=utf-8, \d+ bytes\)/);
  });

  it("sluice local --providers acme runs the worker in the pipeline: every record done once, none dead", async () => {
    const r = await sluice("local", "--providers", "acme", "--records", "12", "--no-scenario", "--no-report", "--speed", "20", "--timeout", "240s", "--json");
    ok(r, "local");
    const summary = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as { providers: { id: string; done: number; dead: number; fetchedTwice: number }[] };
    expect(summary.providers).to.have.length(1);
    expect(summary.providers[0]).to.include({ id: "acme", done: 12, dead: 0, fetchedTwice: 0 });
    expect(readdirSync(path.join(dir, ".sluice", "local-landing", "acme")).length).to.be.greaterThan(0);
  });

  it("the Pulumi program under mocks (sluice policy-check) bundles the new worker", async () => {
    const r = await sluice("policy-check", "--at", "2026-01-06T12:00:00Z");
    ok(r, "policy-check");
    const entries = readdirSync(path.join(dir, ".sluice", "entries")).map((f) => readFileSync(path.join(dir, ".sluice", "entries", f), "utf8"));
    expect(entries.some((e) => e.includes('"./workers/acme.ts"'))).to.equal(true);
    const bundles = readdirSync(path.join(dir, ".sluice", "bundles")).map((h) => readFileSync(path.join(dir, ".sluice", "bundles", h, "index.js"), "utf8"));
    // The scaffold's URL path, minified into its bundle (and in no built-in worker's).
    expect(bundles.filter((b) => b.includes("/records/"))).to.have.length(1);
  });

  it("the type-check npm test runs passes the new module and names a type error in a broken one", async () => {
    writeFileSync(
      path.join(dir, "workers", "broken.ts"),
      'import { defineWorker, ok } from "sluice/worker";\n\nexport default defineWorker(async (record) => {\n  const n: number = record.id;\n  return ok({ n });\n});\n',
    );
    writeFileSync(path.join(dir, "tsconfig.walk.json"), JSON.stringify({ extends: "./tsconfig.json", include: [], files: ["workers/acme.ts", "workers/acme.stub.ts", "test/providers/acme.test.ts", "workers/broken.ts"] }));
    const r = await run(dir, [path.join(dir, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.walk.json", "--pretty", "false"]);
    expect(r.code).to.not.equal(0);
    const errors = r.stdout.trim().split("\n").filter((l) => l.includes("error TS"));
    expect(errors).to.deep.equal(["workers/broken.ts(4,9): error TS2322: Type 'string' is not assignable to type 'number'."]);
  });
});
