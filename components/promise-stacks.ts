/**
 * The Pulumi SDK captures and formats a stack trace for every promise it makes
 * while registering a resource (one per input and output property), for its
 * promise-leak report, which it prints only when PULUMI_DEBUG_PROMISE_LEAKS is
 * set. With tsx's source maps each trace is mapped frame by frame: for 200
 * providers that was most of the program's time and a third of its live heap
 * (`npm run bench:pulumi`, docs/infrastructure.md). The program registers its
 * pipelines without those traces unless the leak report is asked for.
 */

/** Environment variable of the Pulumi SDK that turns its promise-leak report on. */
export const PULUMI_DEBUG_PROMISE_LEAKS = "PULUMI_DEBUG_PROMISE_LEAKS";

/**
 * Runs `register` with V8's stack trace limit at 0, then puts the limit back.
 * Errors thrown meanwhile keep their message but carry no frames; set
 * PULUMI_DEBUG_PROMISE_LEAKS=1 to get both the leak report and full traces.
 */
export function withoutPromiseStacks<T>(register: () => T, env: NodeJS.ProcessEnv = process.env): T {
  if (env[PULUMI_DEBUG_PROMISE_LEAKS]) return register();
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return register();
  } finally {
    Error.stackTraceLimit = limit;
  }
}
