/**
 * The one polling helper for tests whose engines run on real time (the Lambda
 * emulator, kinesis-mock, DynamoDB Local, child processes): wait on a fact,
 * never on a bare sleep.
 */

/**
 * Polls `condition` (sync or async) until it holds; fails naming `what` after
 * `timeoutMs`. `what` may be a function, read only on failure, to show the
 * state that was waited on.
 */
export async function eventually(what: string | (() => string), condition: () => boolean | Promise<boolean>, timeoutMs = 5_000, everyMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${typeof what === "function" ? what() : what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Time the code under test takes (a slow handler, a hanging call); never a wait before an assertion. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
