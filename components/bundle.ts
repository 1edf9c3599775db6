/**
 * Lambda code, bundled with esbuild while the Pulumi program runs: one
 * self-contained index.js per entry file, so there is no build step to forget.
 *
 * - `@aws-sdk/*` stays external: the nodejs22.x runtime ships SDK v3, and
 *   leaving it out keeps every bundle small (the rest, @smithy included, is bundled).
 * - Deterministic: no source map, no comments, no absolute paths; the same
 *   sources give the same bytes and therefore the same archive hash (no spurious updates).
 * - Cached per entry for the life of the program: 200 providers share one
 *   ventilator bundle (configuration goes through the environment, not the code).
 * - Written once to a file named by its hash, and archived by path: the
 *   program hands the engine a path instead of ~200 KiB of code per function,
 *   which the SDK would otherwise serialize, copy and log for every function
 *   (with 200 providers most of the program's time and memory went there).
 *   The engine hashes the file's content, so the path does not cause a diff.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { buildSync, type BuildOptions } from "esbuild";
import * as pulumi from "@pulumi/pulumi";
import { SluiceError } from "../runtime/errors";

/** The Lambda handler setting of every bundled function: index.js exports `handler`. */
export const LAMBDA_HANDLER = "index.handler";
export const BUNDLE_FILE = "index.js";

/** The repository root: esbuild resolves from here, and nothing of it leaks into the output. */
export const REPO_ROOT = path.resolve(__dirname, "..");

/** Where bundles are written, one folder per content hash (git-ignored); the deploy reads them from here. */
export const BUNDLE_DIR = path.join(REPO_ROOT, ".sluice", "bundles");

export const BUNDLE_OPTIONS = {
  bundle: true,
  platform: "node",
  target: "node22",
  format: "cjs",
  minify: true,
  treeShaking: true,
  sourcemap: false,
  legalComments: "none",
  charset: "utf8",
  external: ["@aws-sdk/*"],
  write: false,
  logLevel: "silent",
} as const satisfies BuildOptions;

export class BundleError extends SluiceError {
  constructor(
    readonly entry: string,
    readonly problems: readonly string[],
  ) {
    super(`bundling ${entry} failed:\n${problems.join("\n")}`);
  }
}

export interface Bundle {
  /** Entry path relative to the repository root (what the errors and the docs show). */
  entry: string;
  code: string;
  sha256: string;
  bytes: number;
  /** Bytes of output per npm package or source folder, largest first (what makes a bundle big). */
  composition: [string, number][];
}

/** Groups esbuild's per-input output bytes by npm package, or by folder for the project's own sources. */
export function composition(inputs: Record<string, { bytesInOutput: number }>): [string, number][] {
  const sizes = new Map<string, number>();
  for (const [file, info] of Object.entries(inputs)) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
    const key = pkg ? pkg[1]! : path.dirname(file);
    sizes.set(key, (sizes.get(key) ?? 0) + info.bytesInOutput);
  }
  return [...sizes.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** Bundles one entry file (absolute or relative to `root`); no cache. */
export function bundleEntry(entry: string, root: string = REPO_ROOT): Bundle {
  const absolute = path.resolve(root, entry);
  const relative = path.relative(root, absolute);
  let code: string;
  let parts: [string, number][];
  try {
    const result = buildSync({ ...BUNDLE_OPTIONS, entryPoints: [absolute], absWorkingDir: root, outfile: BUNDLE_FILE, metafile: true });
    const file = result.outputFiles[0];
    const meta = Object.values(result.metafile.outputs)[0];
    if (!file || !meta) throw new BundleError(relative, ["esbuild produced no output"]);
    code = file.text;
    parts = composition(meta.inputs);
  } catch (err) {
    if (err instanceof BundleError) throw err;
    const errors = (err as { errors?: { text: string; location?: { file: string; line: number } | null }[] }).errors;
    const problems = errors?.map((e) => (e.location ? `${e.location.file}:${e.location.line}: ${e.text}` : e.text)) ?? [(err as Error).message];
    throw new BundleError(relative, problems);
  }
  return { entry: relative, code, sha256: createHash("sha256").update(code).digest("hex"), bytes: Buffer.byteLength(code), composition: parts };
}

/**
 * Writes the bundle to `<dir>/<sha256>/index.js` unless it is there already
 * (same hash, same bytes); a temporary file and a rename keep a concurrent
 * run from reading half a file. Returns the file's path.
 */
export function writeBundle(bundle: Bundle, dir: string = BUNDLE_DIR): string {
  const file = path.join(dir, bundle.sha256, BUNDLE_FILE);
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, bundle.code);
    renameSync(partial, file);
  }
  return file;
}

/** A Lambda deployment package holding the bundle's file as index.js. */
export function lambdaArchive(file: string): pulumi.asset.AssetArchive {
  return new pulumi.asset.AssetArchive({ [BUNDLE_FILE]: new pulumi.asset.FileAsset(file) });
}

/** Bundles each distinct entry once and hands out one shared archive per entry. */
export class Bundler {
  private readonly cache = new Map<string, { bundle: Bundle; archive: pulumi.asset.AssetArchive }>();
  /** esbuild runs so far: one per distinct entry. */
  builds = 0;

  constructor(
    private readonly root: string = REPO_ROOT,
    private readonly dir: string = BUNDLE_DIR,
  ) {}

  private load(entry: string) {
    const key = path.resolve(this.root, entry);
    let hit = this.cache.get(key);
    if (!hit) {
      const bundle = bundleEntry(key, this.root);
      this.builds++;
      hit = { bundle, archive: lambdaArchive(writeBundle(bundle, this.dir)) };
      this.cache.set(key, hit);
    }
    return hit;
  }

  bundle(entry: string): Bundle {
    return this.load(entry).bundle;
  }

  archive(entry: string): pulumi.asset.AssetArchive {
    return this.load(entry).archive;
  }

  /** Every bundle made so far (for the docs' size table and the benchmark). */
  bundles(): Bundle[] {
    return [...this.cache.values()].map((v) => v.bundle);
  }
}
