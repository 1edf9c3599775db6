import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { BUNDLE_FILE, BUNDLE_OPTIONS, bundleEntry, BundleError, Bundler, LAMBDA_HANDLER, REPO_ROOT, writeBundle } from "../../components/bundle";
import { ventilatorEntry } from "../../components/entries";
import { WORKER_MODULES, workerEntry } from "../../runtime/workers/registry";

const ENTRY = path.join(__dirname, "fixtures", "lambda-entry.ts");

/** Loads a CommonJS bundle the way the Lambda runtime does, with the SDK coming from node_modules. */
function load(code: string): { handler: (event: unknown) => Promise<unknown> } {
  const module = { exports: {} as Record<string, unknown> };
  new Function("module", "exports", "require", code)(module, module.exports, require);
  return module.exports as { handler: (event: unknown) => Promise<unknown> };
}

describe("components/bundle", () => {
  it("bundles an entry into one CommonJS file exporting the handler", async () => {
    const bundle = bundleEntry(ENTRY);
    expect(bundle.entry).to.equal(path.join("test", "components", "fixtures", "lambda-entry.ts"));
    expect(LAMBDA_HANDLER).to.equal(`${path.parse(BUNDLE_FILE).name}.handler`);
    const { handler } = load(bundle.code);
    expect(await handler({ name: "sluice" })).to.deep.equal({ message: "hello sluice", sdkClient: "function" });
  });

  it("gives the same bytes for the same sources", () => {
    const first = bundleEntry(ENTRY);
    const second = bundleEntry(ENTRY);
    expect(second.sha256).to.equal(first.sha256);
    expect(second.code).to.equal(first.code);
    expect(first.bytes).to.equal(Buffer.byteLength(first.code));
  });

  it("leaves the AWS SDK to the Lambda runtime and the unused code out", () => {
    const { code, bytes } = bundleEntry(ENTRY);
    expect(BUNDLE_OPTIONS.external).to.deep.equal(["@aws-sdk/*"]);
    expect(code).to.match(/require\("@aws-sdk\/client-lambda"\)/);
    expect(code).not.to.include("UNUSED_FIXTURE_MARKER");
    expect(bytes).to.be.below(2_000);
    expect(bundleEntry(ENTRY).composition.map(([part]) => part)).to.deep.equal([path.join("test", "components", "fixtures")]);
  });

  it("carries no absolute path, source map or comment", () => {
    const { code } = bundleEntry(ENTRY);
    expect(code).not.to.include(REPO_ROOT);
    expect(code).not.to.include("sourceMappingURL");
    expect(code).not.to.match(/\/\/ [a-z]/i);
  });

  it("bundles each entry once however many functions use it", () => {
    const bundler = new Bundler();
    const archives = Array.from({ length: 200 }, () => bundler.archive(ENTRY));
    expect(bundler.builds).to.equal(1);
    expect(new Set(archives).size).to.equal(1);
    expect(bundler.bundles().map((b) => b.entry)).to.deep.equal([path.join("test", "components", "fixtures", "lambda-entry.ts")]);
    bundler.archive(path.relative(REPO_ROOT, ENTRY));
    expect(bundler.builds, "a relative path names the same entry").to.equal(1);
  });

  describe("the archive", () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(path.join(tmpdir(), "sluice-bundles-"));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it("packs the bundle as index.js alone, by path: the file named by its hash holds the code", async () => {
      const bundler = new Bundler(REPO_ROOT, dir);
      const assets = await bundler.archive(ENTRY).assets;
      expect(Object.keys(assets)).to.deep.equal([BUNDLE_FILE]);
      const asset = assets[BUNDLE_FILE] as pulumi.asset.FileAsset;
      expect(pulumi.asset.FileAsset.isInstance(asset), "a file asset: the program passes a path, not 200 KiB per function").to.equal(true);
      const file = await asset.path;
      const bundle = bundler.bundle(ENTRY);
      expect(file).to.equal(path.join(dir, bundle.sha256, BUNDLE_FILE));
      expect(readFileSync(file, "utf8")).to.equal(bundle.code);
    });

    it("writes a bundle once: the same hash reuses the file", () => {
      const bundle = bundleEntry(ENTRY);
      const file = writeBundle(bundle, dir);
      const written = statSync(file).mtimeMs;
      expect(writeBundle(bundle, dir)).to.equal(file);
      expect(statSync(file).mtimeMs).to.equal(written);
    });
  });

  it("fails with the entry and esbuild's problem when a source does not resolve", () => {
    const broken = path.join(__dirname, "fixtures", "broken-entry.ts");
    expect(() => bundleEntry(broken))
      .to.throw(BundleError)
      .that.satisfies((e: BundleError) => e.entry.endsWith("broken-entry.ts") && /no-such-module/.test(e.message));
  });

  describe("the project's Lambda entries", () => {
    const entries = [ventilatorEntry(), ...WORKER_MODULES.map((m) => workerEntry(m))];
    for (const entry of entries) {
      const name = path.relative(REPO_ROOT, entry);
      it(`bundles ${name} deterministically into a module exporting handler, SDK left out`, () => {
        const first = bundleEntry(entry);
        expect(bundleEntry(entry).sha256).to.equal(first.sha256);
        expect(typeof load(first.code).handler).to.equal("function");
        expect(first.code).not.to.include(REPO_ROOT);
        expect(first.composition.map(([part]) => part).filter((part) => part.startsWith("@aws-sdk/"))).to.deep.equal([]);
      });
    }
  });
});
