/**
 * Execution environments of a function that runs in its own worker threads
 * (see sandbox-runtime.js), as Lambda runs functions:
 *  - an environment runs one invocation at a time; a warm one is reused, a new
 *    one is a cold start (the module is loaded again) whose init, as on Lambda,
 *    does not count in the function's timeout (it has INIT_LIMIT_MS of its own);
 *  - a timed-out invocation's environment is terminated: nothing it started
 *    goes on, and its next invocation starts cold;
 *  - a process that dies mid-invocation is Runtime.ExitError, a module that
 *    cannot load is Runtime.ImportModuleError;
 *  - what the function writes to stdout reaches `onLog` line by line (CloudWatch Logs).
 */
import { Worker } from "node:worker_threads";
import * as path from "node:path";
import type { FunctionErrorPayload } from "./functions";

export interface SandboxSpec {
  /** Absolute path of the function's module (TypeScript or JavaScript). */
  module: string;
  /** Its export: the Lambda handler, or with `factory`, a function of `config` that returns one. @default "handler" */
  export?: string;
  /** The export is a factory: it is called once per environment with `config`. */
  factory?: boolean;
  /** Structured-clonable configuration for a factory. */
  config?: unknown;
  /** process.env of the environment (nothing of the emulator's own environment leaks in). */
  env?: Record<string, string>;
  /** The environment's wall clock minus the real one (a pipeline clock started at a later instant). @default 0 */
  clockOffsetMs?: number;
  /** Each line the function writes to stdout or stderr. */
  onLog?: (line: string) => void;
}

export type SandboxOutcome = { value: unknown } | { error: FunctionErrorPayload; died: boolean };

const RUNTIME = path.join(__dirname, "sandbox-runtime.js");
/** Lambda's limit on a cold start's init phase. */
export const INIT_LIMIT_MS = 10_000;

class Environment {
  private readonly worker: Worker;
  private readonly ready: Promise<FunctionErrorPayload | null>;
  private pending: { id: number; resolve: (o: SandboxOutcome) => void } | undefined;
  private serial = 0;
  dead = false;

  constructor(spec: SandboxSpec) {
    this.worker = new Worker(RUNTIME, {
      workerData: { module: spec.module, export: spec.export ?? "handler", factory: spec.factory === true, config: spec.config, clockOffsetMs: spec.clockOffsetMs ?? 0 },
      env: { ...(spec.env ?? {}) },
      stdout: true,
      stderr: true,
    });
    for (const stream of [this.worker.stdout, this.worker.stderr]) {
      let rest = "";
      stream.setEncoding("utf8");
      stream.on("data", (chunk: string) => {
        const lines = (rest + chunk).split("\n");
        rest = lines.pop() ?? "";
        for (const line of lines) if (line.trim() !== "") spec.onLog?.(line);
      });
    }
    this.ready = new Promise((resolve) => {
      this.worker.on("message", (m: { type: string; id?: number; value?: unknown; errorType?: string; errorMessage?: string; trace?: string[] }) => {
        if (m.type === "ready") resolve(null);
        else if (m.type === "init-error") resolve({ errorType: m.errorType!, errorMessage: m.errorMessage!, trace: [] });
        else if (this.pending && m.id === this.pending.id) {
          const { resolve: answer } = this.pending;
          this.pending = undefined;
          answer(m.type === "result" ? { value: m.value } : { error: { errorType: m.errorType!, errorMessage: m.errorMessage!, trace: m.trace ?? [] }, died: false });
        }
      });
    });
    const died = (why: string) => {
      this.dead = true;
      if (!this.pending) return;
      const { resolve } = this.pending;
      this.pending = undefined;
      resolve({ error: { errorType: "Runtime.ExitError", errorMessage: `Runtime exited with error: ${why}`, trace: [] }, died: true });
    };
    this.worker.on("error", (err) => died(err.message));
    this.worker.on("exit", (code) => died(`exit status ${code}`));
  }

  /** Resolves once the module is loaded (null) or failed to load (its error); "timeout" past INIT_LIMIT_MS. */
  async init(): Promise<FunctionErrorPayload | null | "timeout"> {
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), INIT_LIMIT_MS)));
    try {
      return await Promise.race([this.ready, limit]);
    } finally {
      clearTimeout(timer);
    }
  }

  async invoke(event: unknown, context: Record<string, unknown>, remainingMs: number): Promise<SandboxOutcome> {
    const initError = await this.ready;
    if (initError) {
      this.dead = true;
      return { error: initError, died: false };
    }
    if (this.dead) return { error: { errorType: "Runtime.ExitError", errorMessage: "Runtime exited before the invocation", trace: [] }, died: true };
    const id = ++this.serial;
    return new Promise((resolve) => {
      this.pending = { id, resolve };
      this.worker.postMessage({ type: "invoke", id, event, context, remainingMs });
    });
  }

  /** Lambda resets the environment: the thread and everything it started end now. */
  async terminate(): Promise<void> {
    this.dead = true;
    this.pending = undefined;
    await this.worker.terminate();
  }
}

/** The execution environments of one function: warm ones wait for the next invocation. */
export class SandboxPool {
  private readonly idle: Environment[] = [];
  private readonly all = new Set<Environment>();
  coldStarts = 0;

  constructor(private spec: SandboxSpec) {}

  reconfigure(spec: SandboxSpec): void {
    this.spec = spec;
    void this.dispose();
  }

  /**
   * One invocation in a warm environment or a cold one. Once the environment is ready, `startClock`
   * gives the promise that settles at the function's timeout, which terminates it.
   */
  async run(event: unknown, context: Record<string, unknown>, timeoutMs: number, startClock: () => Promise<void>): Promise<SandboxOutcome | "timeout"> {
    let env = this.idle.pop();
    while (env?.dead) env = this.idle.pop();
    if (!env) {
      env = new Environment(this.spec);
      this.all.add(env);
      this.coldStarts++;
    }
    const used = env;
    if ((await used.init()) === "timeout") {
      this.all.delete(used);
      await used.terminate();
      return "timeout";
    }
    const timeout = startClock();
    const outcome = await Promise.race([used.invoke(event, context, timeoutMs), timeout.then(() => "timeout" as const)]);
    if (outcome === "timeout") {
      this.all.delete(used);
      await used.terminate();
      return "timeout";
    }
    if (used.dead) {
      this.all.delete(used);
      await used.terminate();
    } else this.idle.push(used);
    return outcome;
  }

  async dispose(): Promise<void> {
    const envs = [...this.all];
    this.all.clear();
    this.idle.length = 0;
    await Promise.all(envs.map((e) => e.terminate()));
  }
}
