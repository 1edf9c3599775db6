/**
 * Running `sluice` in tests: in-process through main(argv) with stdout/stderr
 * captured and the environment pointed at the local engines, or as a child
 * process through bin/sluice.js (asynchronously: the Lambda emulator lives in
 * the test process and must keep running while the child talks to it).
 */
import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, type KinesisClient } from "@aws-sdk/client-kinesis";
import { spawn } from "node:child_process";
import { request as httpRequest } from "node:http";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../cli/main";
import { serializeProvider, type Provider } from "../../runtime/catalog/provider";
import { sendAwsError, startServer, type Fixture } from "../aws/http-fixture";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const root = join(__dirname, "..", "..");

/** One command at a time: stdout, stderr and the environment are process-wide. */
export async function runCli(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  const saved = new Map(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  const out: string[] = [];
  const err: string[] = [];
  const stdoutWrite = process.stdout.write;
  const stderrWrite = process.stderr.write;
  const capture = (sink: string[]) =>
    ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      sink.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      const done = rest.find((r) => typeof r === "function") as (() => void) | undefined;
      done?.();
      return true;
    }) as typeof process.stdout.write;
  process.stdout.write = capture(out);
  process.stderr.write = capture(err);
  try {
    const code = await main(["node", "sluice", ...args]);
    return { code, stdout: out.join(""), stderr: err.join("") };
  } finally {
    process.stdout.write = stdoutWrite;
    process.stderr.write = stderrWrite;
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

export function spawnCli(args: readonly string[], opts: { env?: Record<string, string>; input?: string } = {}): Promise<CliResult> {
  return spawnNode([join(root, "bin", "sluice.js"), ...args], { ...opts, cwd: root });
}

/** `node <args>` in `cwd`, its output captured. */
export function spawnNode(args: readonly string[], opts: { cwd: string; env?: Record<string, string>; input?: string }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => err.push(c));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") }));
    child.stdin.end(opts.input ?? "");
  });
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "sluice-cli-"));
}

export function tempFile(name: string, content: string): string {
  const path = join(tempDir(), name);
  writeFileSync(path, content);
  return path;
}

/** A catalog file holding exactly these (already validated) providers. */
export function catalogFile(providers: readonly Provider[]): string {
  return tempFile("providers.json", JSON.stringify({ providers: providers.map((p) => JSON.parse(serializeProvider(p)) as unknown) }, null, 2));
}

/** Every record in the stream, decoded as JSON, read from the start of each shard. */
export async function readStream(kinesis: KinesisClient, streamName: string): Promise<Record<string, unknown>[]> {
  const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName: streamName }));
  const records: Record<string, unknown>[] = [];
  for (const shard of Shards) {
    let { ShardIterator: iterator } = await kinesis.send(new GetShardIteratorCommand({ StreamName: streamName, ShardId: shard.ShardId, ShardIteratorType: "TRIM_HORIZON" }));
    while (iterator) {
      const out = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      for (const r of out.Records ?? []) records.push(JSON.parse(Buffer.from(r.Data!).toString("utf8")) as Record<string, unknown>);
      if ((out.Records ?? []).length === 0 || out.MillisBehindLatest === 0) break;
      iterator = out.NextShardIterator;
    }
  }
  return records;
}

/**
 * A proxy in front of kinesis-mock that refuses PutRecords calls carrying a
 * record whose data matches `refuse` (AccessDeniedException: not retried), and
 * forwards everything else: a stream that exists but will not take records.
 */
export async function refusingKinesisProxy(upstream: string, refuse: (data: string) => boolean): Promise<Fixture> {
  const target = new URL(upstream);
  return startServer(async (req, res, body) => {
    if (req.headers["x-amz-target"] === "Kinesis_20131202.PutRecords") {
      const parsed = JSON.parse(body.toString("utf8")) as { Records: { Data: string }[] };
      if (parsed.Records.some((r) => refuse(Buffer.from(r.Data, "base64").toString("utf8")))) {
        return sendAwsError(res, 400, "AccessDeniedException", "not allowed to write this record", "json-1.1");
      }
    }
    await new Promise<void>((resolve, reject) => {
      const up = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
        r.on("end", () => resolve());
      });
      up.on("error", reject);
      up.end(body);
    });
  });
}
