/**
 * The offline policy check: the real Pulumi program (components/program.ts,
 * real catalog loading and bundling) runs under the SDK's mocks for a stack,
 * and the pack's policies judge every registration as the engine would hand
 * it to them (analyze.ts). Nothing reaches AWS or the Pulumi CLI.
 */
import * as pulumi from "@pulumi/pulumi";
import { sluiceStack } from "../../components/program";
import { SluiceError } from "../../runtime/errors";
import { PROJECT, runUnderMocks, type EngineResource, type MockRun } from "./pulumi-mocks";
import type { PolicyClock } from "../clock";
import { groupPipelines } from "../pipeline";
import { analyze, type Analysis, type NormalizedPackConfig, type PackUnderTest } from "./analyze";
import { stackValidationArgs } from "./args";
import { sluicePack } from "./pack-under-test";

export interface ProgramCheckOptions {
  /** The catalog path as `sluice:catalog` takes it (relative to the working directory). */
  catalogPath: string;
  /** The stack's other config (`namespace:key` → value), as Pulumi.<stack>.yaml and `--config` give it. */
  stackConfig?: Record<string, string>;
  stack: string;
  clock: PolicyClock;
  config?: NormalizedPackConfig;
  /** Changes registrations before the policies see them (tests of what a catalog cannot produce). */
  transform?: (registrations: EngineResource[]) => EngineResource[];
}

export interface ProgramCheck {
  pack: PackUnderTest;
  run: MockRun<unknown>;
  registrations: EngineResource[];
  /** Provider pipelines found among the registrations. */
  pipelines: string[];
  analysis: Analysis;
}

/** The program refused to run (bad stack config, a pipeline AWS would refuse); its lines as Pulumi prints them. */
export class ProgramRunError extends SluiceError {}

/** The stack tags the engine sends every analyzer. */
export function stackTags(): ReadonlyMap<string, string> {
  return new Map([
    ["pulumi:project", PROJECT],
    ["pulumi:runtime", "nodejs"],
  ]);
}

/** Runs the program and the pack; a program that fails the way `pulumi preview` shows becomes a ProgramRunError. */
export async function checkProgram(options: ProgramCheckOptions): Promise<ProgramCheck> {
  const pack = sluicePack(options.clock);
  const run = await runUnderMocks(() => sluiceStack(), { ...options.stackConfig, "sluice:catalog": options.catalogPath }, { stack: options.stack });
  if (run.error !== undefined) {
    if (pulumi.RunError.isInstance(run.error)) throw new ProgramRunError(run.error.message);
    throw run.error;
  }
  const registrations = options.transform ? options.transform(run.engine) : run.engine;
  const pipelines = groupPipelines(stackValidationArgs(registrations, { stackTags: stackTags(), config: {} }).resources).map((g) => g.provider);
  const analysis = await analyze(pack, registrations, { stackTags: stackTags(), ...(options.config ? { config: options.config } : {}) });
  return { pack, run, registrations, pipelines, analysis };
}
