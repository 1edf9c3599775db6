/**
 * Virtual timers for code that waits on setTimeout/setInterval (the Lambda
 * emulator's schedule and invocation timeouts): a test moves time itself, so
 * "nothing happened" is checked after a known amount of virtual time, never
 * after a real sleep. Node's own MockTimers (node:test), which mocha can use
 * too; Date is left alone, the code under test reads an injected Clock.
 */
import { mock } from "node:test";

/** Lets every promise callback queued so far run (setImmediate is not mocked). */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Mocks setTimeout/setInterval around each test of the calling suite. */
export function useVirtualTimers(): { advance(ms: number): Promise<void> } {
  beforeEach(() => mock.timers.enable({ apis: ["setTimeout", "setInterval"] }));
  afterEach(() => mock.timers.reset());
  return {
    /** Moves virtual time forward, firing due timers, and lets the promises they settle run. */
    async advance(ms: number) {
      await flush();
      mock.timers.tick(ms);
      await flush();
    },
  };
}
