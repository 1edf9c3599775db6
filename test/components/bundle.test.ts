import { expect } from "chai";
import * as path from "node:path";
import { BUNDLE_FILE, BUNDLE_OPTIONS, bundleEntry, BundleError, Bundler, LAMBDA_HANDLER, REPO_ROOT } from "../../components/bundle";
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

  it("packs the bundle as index.js alone", async () => {
    const archive = new Bundler().archive(ENTRY);
    const assets = await archive.assets;
    expect(Object.keys(assets)).to.deep.equal([BUNDLE_FILE]);
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
