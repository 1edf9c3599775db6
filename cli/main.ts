/** The `sluice` command: one module per command family registers itself here. */
import { Command, CommanderError } from "commander";
import { EXIT_FAILURE, reportError } from "./output";
import { registerValidate } from "./validate";
import { registerLocal } from "./local";
import { registerEnqueue } from "./enqueue";
import { registerStatus } from "./status";
import { registerOperator } from "./operator";
import { registerDead } from "./dead";
import { registerSimulate } from "./simulate";
import { registerBench } from "./bench";
import { registerPolicyCheck } from "./policy-check";
import { registerWorker } from "./worker";
import { registerNew } from "./new";

export function buildProgram(): { program: Command; done: Promise<number> } {
  let settle: (code: number) => void = () => {};
  const done = new Promise<number>((resolve) => (settle = resolve));
  const run = (fn: () => Promise<number> | number): void => {
    Promise.resolve()
      .then(fn)
      .then(settle, (err: unknown) => settle(reportError(err)));
  };
  const program = new Command("sluice")
    .description("Self-healing ingestion pipelines for rate-limited third-party APIs, one per provider.")
    .showHelpAfterError()
    .exitOverride();
  registerValidate(program, run);
  registerLocal(program, run);
  registerEnqueue(program, run);
  registerStatus(program, run);
  registerOperator(program, run);
  registerDead(program, run);
  registerSimulate(program, run);
  registerBench(program, run);
  registerPolicyCheck(program, run);
  registerWorker(program, run);
  registerNew(program, run);
  return { program, done };
}

export async function main(argv: string[]): Promise<number> {
  const { program, done } = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : EXIT_FAILURE;
    return reportError(err);
  }
  // A bare `sluice` prints help through commander; only actions settle `done`.
  return program.args.length === 0 && argv.length <= 2 ? 0 : done;
}
