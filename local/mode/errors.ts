/** What `sluice local` reports as a plain line and exit 1: a user mistake or a missing prerequisite, never a bug. */
import { SluiceError } from "../../runtime/errors";

/** A command-line value that cannot be used; names the option and the value. */
export class LocalOptionError extends SluiceError {
  constructor(
    readonly option: string,
    readonly value: unknown,
    problem: string,
  ) {
    super(`sluice local: ${option} ${typeof value === "string" ? JSON.stringify(value) : String(value)} ${problem}`);
  }
}

/** A scenario file that cannot be used; every problem names its step and field, all on one line. */
export class LocalScenarioError extends SluiceError {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`${source}: ${problems.join("; ")}`);
  }
}

/** Java (for DynamoDB Local) is missing or too old. */
export class JavaMissingError extends SluiceError {}
