/**
 * The fault search: fast-check generates runs (a provider, a start, a model
 * seed, a sequence of steps), each run drives the real ventilator, ledger,
 * guard and mapping adapter through its steps, and the invariants are checked
 * after every step and once more after a drain (faults off, credential fixed,
 * time run on until the stream is consumed). A violation fails the run;
 * fast-check shrinks it to a short sequence and reports the seed and path that
 * replay it.
 */
import fc from "fast-check";
import type { KeyedItem, LedgerStore } from "../../../runtime/ledger/store";
import { runArbitrary, specFor, type Generated } from "./arbitraries";
import { violations } from "./invariants";
import { World } from "./world";

/** A fresh store per run, with a way to read every item of it. */
export interface StoreFactory {
  kind: "memory" | "dynamodb";
  fresh(): Promise<{ store: LedgerStore; items(): Promise<KeyedItem[]> }>;
}

export interface SearchOptions {
  runs: number;
  seed?: number;
  /** fast-check's replay path of a reported failure. */
  path?: string;
  stores: StoreFactory;
  /** @default 30 */
  maxSteps?: number;
  /** Virtual time the final drain may run. @default 3 days */
  drainMs?: number;
  onRun?: (done: number) => void;
}

export interface SearchReport {
  runs: number;
  violations: number;
  seed: number;
  ms: number;
  /** fast-check's report of the shrunk counterexample, with the seed and path that replay it. */
  failure?: string;
}

/** Runs one generated sequence; resolves with the violations found (empty when it held). */
export async function runOnce(g: Generated, stores: StoreFactory, drainMs = 3 * 86_400_000, inspect?: (world: World, items: KeyedItem[]) => void): Promise<string[]> {
  const { store, items } = await stores.fresh();
  const world = new World(specFor(g), store, stores.kind === "dynamodb");
  if (inspect) {
    const finish = world.stop.bind(world);
    world.stop = () => {
      finish();
      void items().then((all) => inspect(world, all));
    };
  }
  try {
    for (const [i, s] of g.steps.entries()) {
      await world.step(s);
      const found = violations(world, await items(), false);
      if (found.length > 0) return found.map((v) => `after step ${i + 1} (${s.kind}): ${v}`);
    }
    await world.drain(drainMs);
    return violations(world, await items(), true).map((v) => `after the drain: ${v}`);
  } finally {
    world.stop();
  }
}

export async function search(opts: SearchOptions): Promise<SearchReport> {
  const seed = opts.seed ?? Date.now() % 2 ** 31;
  const started = Date.now();
  let done = 0;
  let found = 0;
  const property = fc.asyncProperty(runArbitrary(opts.maxSteps ?? 30), async (g) => {
    const problems = await runOnce(g, opts.stores, opts.drainMs);
    done++;
    opts.onRun?.(done);
    if (problems.length > 0) {
      found = new Set(problems.map((p) => p.replace(/^after [^:]+: /, "").split(":")[0])).size;
      throw new Error(problems.join("\n"));
    }
  });
  const result = await fc.check(property, { numRuns: opts.runs, seed, ...(opts.path ? { path: opts.path } : {}) });
  const ms = Date.now() - started;
  if (!result.failed) return { runs: result.numRuns, violations: 0, seed, ms };
  const error = result.errorInstance instanceof Error ? result.errorInstance.message : String(result.errorInstance);
  return { runs: result.numRuns, violations: Math.max(1, found), seed, ms, failure: `${fc.defaultReportMessage(result) ?? "failed"}\nViolations of the shrunk run:\n${error}` };
}
