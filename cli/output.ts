/** How commands report: user mistakes become plain lines and exit 1, never stack traces. */
import { SluiceError } from "../runtime/errors";

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;

export function reportError(err: unknown): number {
  if (err instanceof SluiceError) {
    process.stderr.write(err.message + "\n");
    return EXIT_FAILURE;
  }
  process.stderr.write(`sluice: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return EXIT_FAILURE;
}
