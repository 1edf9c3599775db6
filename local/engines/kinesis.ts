/**
 * kinesis-mock (npm kinesis-local) as a child process on free ports, for
 * `sluice local` and the end-to-end tests. Every *_DURATION is zeroed so streams
 * are ACTIVE at once; the caller talks to it with the production Kinesis client
 * (runtime/aws/clients.ts: HTTP/1.1, which kinesis-mock needs).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import * as path from "node:path";
import { CreateStreamCommand, DeleteStreamCommand, DescribeStreamSummaryCommand, ListStreamsCommand, type KinesisClient } from "@aws-sdk/client-kinesis";
import { kinesisClient } from "../../runtime/aws/clients";
import { realSleep as sleep } from "../../runtime/backoff";
import { SluiceError } from "../../runtime/errors";
import { freePort } from "./free-port";

export class KinesisEngineError extends SluiceError {}

export interface KinesisMock {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

export interface KinesisMockOptions {
  /** Plain-HTTP port; a free one when absent. */
  port?: number;
  /** How long to wait for the first ListStreams answer. @default 30_000 */
  readyTimeoutMs?: number;
}

/** Every delay kinesis-mock simulates (README "Service Configuration"); zero makes operations synchronous. */
const DURATION_VARIABLES = [
  "CREATE_STREAM_DURATION",
  "DELETE_STREAM_DURATION",
  "REGISTER_STREAM_CONSUMER_DURATION",
  "DEREGISTER_STREAM_CONSUMER_DURATION",
  "START_STREAM_ENCRYPTION_DURATION",
  "STOP_STREAM_ENCRYPTION_DURATION",
  "MERGE_SHARDS_DURATION",
  "SPLIT_SHARD_DURATION",
  "UPDATE_SHARD_COUNT_DURATION",
  "UPDATE_STREAM_MODE_DURATION",
] as const;

/** Runs kinesis-mock and takes it down when stdin closes (our exit or death) or on SIGTERM (stop). */
const GUARDIAN = `
const { spawn } = require("node:child_process");
const engine = spawn(process.execPath, ["main.js"], { stdio: ["ignore", "ignore", "inherit"] });
const end = () => engine.kill("SIGKILL");
process.stdin.on("end", end).on("close", end).on("error", end).resume();
process.on("SIGTERM", end);
engine.on("exit", (code) => process.exit(code ?? 0));
`;

/** Another process can take a port between our probe and the child's bind: retry with fresh ports. */
const START_ATTEMPTS = 3;

export async function startKinesisMock(opts: KinesisMockOptions = {}): Promise<KinesisMock> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
    try {
      return await startOnce(opts.port ?? (await freePort()), await freePort(), opts.readyTimeoutMs ?? 30_000);
    } catch (error) {
      lastError = error;
      // A port the caller chose is not ours to change.
      if (opts.port !== undefined) break;
    }
  }
  throw new KinesisEngineError(`kinesis-mock did not start: ${(lastError as Error).message}`, { cause: lastError });
}

async function startOnce(port: number, tlsPort: number, readyTimeoutMs: number): Promise<KinesisMock> {
  // A stream only our child knows: an answer about it proves the port is ours, not another test's engine.
  const marker = `sluice-engine-${randomUUID()}`;
  const packageDir = path.dirname(require.resolve("kinesis-local/package.json"));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    KINESIS_MOCK_PLAIN_PORT: String(port),
    KINESIS_MOCK_TLS_PORT: String(tlsPort),
    LOG_LEVEL: "ERROR",
    SHOULD_PERSIST_DATA: "false",
    LOAD_DATA_IF_EXISTS: "false",
    INITIALIZE_STREAMS: `${marker}:1`,
  };
  for (const name of DURATION_VARIABLES) env[name] = "0ms";

  // cwd = the package folder: kinesis-mock finds its TLS certificate (server.json) relative to it.
  // A guardian process owns the engine and kills it when our end of its stdin closes, so
  // the engine dies with us even when we are killed without running exit handlers.
  const child = spawn(process.execPath, ["-e", GUARDIAN], { cwd: packageDir, env, stdio: ["pipe", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    if (stderr.length < 4_000) stderr += chunk.toString();
  });
  const killOnExit = () => child.kill("SIGTERM");
  process.on("exit", killOnExit);

  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    process.off("exit", killOnExit);
    await terminate(child, exited);
  };

  try {
    await waitUntilAnswering(endpoint, marker, exited, () => stderr, readyTimeoutMs);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, port, stop };
}

async function waitUntilAnswering(endpoint: string, marker: string, exited: Promise<number | null>, stderr: () => string, timeoutMs: number): Promise<void> {
  const client = kinesisClient({ endpoint, maxAttempts: 1 });
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code ?? -1));
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (exitCode !== undefined) throw new KinesisEngineError(`exited with code ${exitCode}: ${stderr().trim().split("\n")[0] ?? ""}`);
      let names: string[] = [];
      try {
        names = (await client.send(new ListStreamsCommand({}))).StreamNames ?? [];
      } catch {
        // Not listening yet.
      }
      if (names.includes(marker)) {
        await client.send(new DeleteStreamCommand({ StreamName: marker }));
        return;
      }
      if (Date.now() > deadline) throw new KinesisEngineError(`no answer from our engine on ${endpoint} within ${timeoutMs} ms (no ${marker} stream listed)`);
      await sleep(100);
    }
  } finally {
    client.destroy();
  }
}

/** The guardian SIGKILLs the engine (nothing is persisted; kinesis-mock lingers about 2 s on SIGTERM) and exits with it. */
async function terminate(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  await exited;
}

/** Creates a stream and waits until it is ACTIVE (immediately with CREATE_STREAM_DURATION=0ms, but not guaranteed). */
export async function createStream(client: KinesisClient, name: string, shards: number, timeoutMs = 10_000): Promise<{ streamArn: string }> {
  await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { StreamDescriptionSummary: summary } = await client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    if (summary?.StreamStatus === "ACTIVE" && summary.StreamARN) return { streamArn: summary.StreamARN };
    if (Date.now() > deadline) throw new KinesisEngineError(`stream ${name} is ${summary?.StreamStatus ?? "unknown"} after ${timeoutMs} ms, not ACTIVE`);
    await sleep(50);
  }
}
