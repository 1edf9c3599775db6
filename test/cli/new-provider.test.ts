import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { insertProvider } from "../../cli/catalog-insert";
import { newProvider } from "../../cli/new";
import { validateCatalog } from "../../runtime/catalog/validate";
import { CliInputError } from "../../cli/errors";

describe("sluice new provider: the catalog entry", () => {
  const entry = { id: "acme", maxConcurrency: 2, worker: { module: "chaos" } };

  const texts: [string, string][] = [
    ["an empty array", '{ "providers": [] }'],
    ["an array on one line", '{"providers":[{"id":"a1","maxConcurrency":1,"worker":{"module":"chaos"}}]}'],
    ["providers before $schema, and brackets inside strings", '{\n  "providers": [\n    { "id": "a1", "description": "has ] and [ and \\" inside", "maxConcurrency": 1, "worker": { "module": "chaos" } }\n  ],\n  "$schema": "x]"\n}\n'],
    ["a key named providers deeper down first", '{\n  "$schema": "./s.json",\n  "providers": [\n    { "id": "a1", "description": "providers", "maxConcurrency": 1, "worker": { "module": "chaos" } }\n  ]\n}\n'],
  ];
  for (const [name, text] of texts) {
    it(`appends to ${name}, leaving the rest as it was`, () => {
      const out = insertProvider(text, entry, "providers.json");
      const parsed = JSON.parse(out) as { providers: { id: string }[] };
      expect(parsed.providers.at(-1)).to.deep.equal(entry);
      expect(parsed.providers.length).to.equal((JSON.parse(text) as { providers: unknown[] }).providers.length + 1);
      validateCatalog(parsed);
      // Everything before the insertion point is untouched.
      const cut = text.lastIndexOf("]", text.indexOf("$schema") > text.indexOf("providers") ? text.indexOf('"$schema"') : text.length);
      expect(out.startsWith(text.slice(0, Math.max(0, text.slice(0, cut).trimEnd().length - 1)))).to.equal(true);
    });
  }

  it("refuses a catalog without a providers array", () => {
    expect(() => insertProvider('{ "other": [] }', entry, "x.json")).to.throw(/no top-level "providers" array/);
  });
});

describe("sluice new provider: files", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "sluice-new-"));
    writeFileSync(path.join(dir, "providers.json"), '{\n  "providers": [\n    { "id": "demo", "maxConcurrency": 2, "worker": { "module": "chaos" } }\n  ]\n}\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("writes the entry, the worker, its stub and its test", () => {
    const { written } = newProvider("acme", path.join(dir, "providers.json"));
    expect(written.map((f) => path.basename(f))).to.deep.equal(["providers.json", "acme.ts", "acme.stub.ts", "acme.test.ts"]);
    const catalog = JSON.parse(readFileSync(path.join(dir, "providers.json"), "utf8")) as { providers: { id: string; enabled?: boolean; worker: { module: string } }[] };
    expect(catalog.providers.map((p) => p.id)).to.deep.equal(["demo", "acme"]);
    expect(catalog.providers[1]).to.deep.include({ enabled: false });
    expect(catalog.providers[1]!.worker.module).to.equal("./workers/acme.ts");
    for (const f of ["workers/acme.ts", "workers/acme.stub.ts", "test/providers/acme.test.ts"]) expect(existsSync(path.join(dir, f)), f).to.equal(true);
  });

  it("overwrites nothing: an id already there and files already there are refused, one line each, before anything is written", () => {
    newProvider("acme", path.join(dir, "providers.json"));
    const before = readFileSync(path.join(dir, "providers.json"), "utf8");
    let error: unknown;
    try {
      newProvider("acme", path.join(dir, "providers.json"));
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(CliInputError);
    const lines = (error as CliInputError).problems;
    expect(lines[0]).to.equal('providers.json: provider "acme" is already in the catalog');
    expect(lines.slice(1).map((l) => l.replace(/^.*?(workers|test)\//, "$1/"))).to.deep.equal([
      "workers/acme.ts already exists: not overwritten",
      "workers/acme.stub.ts already exists: not overwritten",
      "test/providers/acme.test.ts already exists: not overwritten",
    ]);
    expect(readFileSync(path.join(dir, "providers.json"), "utf8")).to.equal(before);
  });

  it("refuses an id that is not a slug, saying what one is", () => {
    expect(() => newProvider("Acme Corp", path.join(dir, "providers.json"))).to.throw(CliInputError, /provider id "Acme Corp": expected a slug/);
  });
});
