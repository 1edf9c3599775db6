/**
 * The command line's own errors. Each message is one line (or one line per
 * problem) an on-call engineer can act on: reportError prints it as is and the
 * command exits 1, never with a stack trace.
 */
import { ProblemsError, SluiceError } from "../runtime/errors";

/** Something the operator typed or fed in: an unknown provider, an unreadable file, bad lines. */
export class CliInputError extends ProblemsError {}

/** The provider is in the catalog but its pipeline (or part of it) does not exist where we looked. */
export class NotDeployedError extends SluiceError {
  constructor(
    readonly providerId: string,
    readonly where: string,
    readonly missing: readonly string[],
  ) {
    super(`provider "${providerId}" is not deployed in ${where}: ${missing.join(", ")} not found`);
  }
}

/** An operator command that would not do what was asked (resume of a pipeline no operator paused, ...). */
export class OperatorRefusal extends SluiceError {}

/** AWS (or a local engine) could not be reached or refused a call for a reason other than a missing resource. */
export class AwsCallError extends SluiceError {}
