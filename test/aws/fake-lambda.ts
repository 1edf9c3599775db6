/**
 * A test fixture speaking the few Lambda REST paths the adapters call, with
 * scripted failures. Not an emulator: updates settle on the next read
 * (Enabling -> Enabled) and nothing else of Lambda's behaviour is modelled.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { sendAwsError, sendJson, startServer, type Fixture } from "./http-fixture";

export interface FakeMapping {
  UUID: string;
  FunctionArn: string;
  EventSourceArn: string;
  BatchSize: number;
  State: string;
}

export interface MappingChangeBody {
  BatchSize?: number;
  Enabled?: boolean;
}

export interface ScriptedError {
  status: number;
  type: string;
  message: string;
}

export interface InvokeAnswer {
  status?: number;
  /** Sets X-Amz-Function-Error, as Lambda does when the function threw. */
  functionError?: string;
  /** Raw payload bytes (a string is sent as is; anything else as JSON). */
  payload?: unknown;
  error?: ScriptedError;
  delayMs?: number;
  /** Closes the connection without an answer, after the request arrived. */
  hangUp?: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  body: string;
}

export class FakeLambda {
  readonly mappings = new Map<string, FakeMapping>();
  readonly requests: RecordedRequest[] = [];
  /** Consumed one per UpdateEventSourceMapping call, before the update is applied. */
  readonly updateFailures: ScriptedError[] = [];
  /** Consumed one per Get/List call. */
  readonly readFailures: ScriptedError[] = [];
  /** Mappings per List page; NextMarker links the pages. */
  pageSize = 50;
  /** Empty pages (with a NextMarker) before the first real one, as Lambda may answer. */
  leadingEmptyPages = 0;
  invoke: (functionName: string, payload: unknown, raw: string) => InvokeAnswer | Promise<InvokeAnswer> = () => ({ payload: { ok: true } });
  private fixture: Fixture | undefined;
  private readonly enabled = new Map<string, boolean>();

  get endpoint(): string {
    if (!this.fixture) throw new Error("FakeLambda not started");
    return this.fixture.url;
  }

  count(method: string, pathPrefix: string): number {
    return this.requests.filter((r) => r.method === method && r.path.startsWith(pathPrefix)).length;
  }

  addMapping(m: Partial<FakeMapping> & { UUID: string }): FakeMapping {
    const mapping: FakeMapping = {
      FunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:ventilator",
      EventSourceArn: "arn:aws:kinesis:us-east-1:000000000000:stream/records",
      BatchSize: 10,
      State: "Enabled",
      ...m,
    };
    this.mappings.set(mapping.UUID, mapping);
    this.enabled.set(mapping.UUID, mapping.State === "Enabled" || mapping.State === "Enabling" || mapping.State === "Updating");
    return mapping;
  }

  async start(): Promise<this> {
    this.fixture = await startServer((req, res, body) => this.route(req, res, body.toString("utf8")));
    return this;
  }

  async stop(): Promise<void> {
    await this.fixture?.close();
  }

  private async route(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    const url = new URL(req.url ?? "/", "http://fake");
    const path = decodeURIComponent(url.pathname).replace(/\/$/, "");
    this.requests.push({ method: req.method ?? "", path, query: url.searchParams, headers: req.headers, body });

    const mappingPath = /^\/2015-03-31\/event-source-mappings(?:\/([^/]+))?$/.exec(path);
    const invokePath = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(path);
    if (mappingPath && req.method === "GET" && mappingPath[1] === undefined) return this.list(res, url.searchParams);
    if (mappingPath && req.method === "GET") return this.get(res, mappingPath[1]!);
    if (mappingPath && req.method === "PUT") return this.update(res, mappingPath[1]!, body);
    if (invokePath && req.method === "POST") return this.invokeFunction(res, invokePath[1]!, body);
    sendAwsError(res, 404, "UnknownOperationException", `${req.method} ${path}`);
  }

  private failed(res: ServerResponse, queue: ScriptedError[]): boolean {
    const failure = queue.shift();
    if (failure) sendAwsError(res, failure.status, failure.type, failure.message);
    return failure !== undefined;
  }

  /** Transitional states settle when read, as if the asynchronous update had finished. */
  private settle(m: FakeMapping): void {
    if (m.State === "Enabling" || m.State === "Disabling" || m.State === "Updating") m.State = this.enabled.get(m.UUID) ? "Enabled" : "Disabled";
  }

  private list(res: ServerResponse, q: URLSearchParams): void {
    if (this.failed(res, this.readFailures)) return;
    const fn = q.get("FunctionName") ?? "";
    const arn = q.get("EventSourceArn");
    const all = [...this.mappings.values()].filter(
      (m) => (m.FunctionArn === fn || m.FunctionArn.endsWith(`:function:${fn}`)) && (arn === null || m.EventSourceArn === arn),
    );
    all.forEach((m) => this.settle(m));
    const marker = q.get("Marker");
    const emptySeen = marker?.startsWith("empty-") ? Number(marker.slice(6)) : marker ? this.leadingEmptyPages : 0;
    if (emptySeen < this.leadingEmptyPages) return sendJson(res, 200, { EventSourceMappings: [], NextMarker: `empty-${emptySeen + 1}` });
    const start = marker && !marker.startsWith("empty-") ? Number(marker) : 0;
    const page = all.slice(start, start + this.pageSize);
    const next = start + this.pageSize < all.length ? String(start + this.pageSize) : undefined;
    sendJson(res, 200, { EventSourceMappings: page, ...(next ? { NextMarker: next } : {}) });
  }

  private get(res: ServerResponse, uuid: string): void {
    if (this.failed(res, this.readFailures)) return;
    const m = this.mappings.get(uuid);
    if (!m) return sendAwsError(res, 404, "ResourceNotFoundException", `The resource you requested does not exist. (UUID ${uuid})`);
    this.settle(m);
    sendJson(res, 200, m);
  }

  private update(res: ServerResponse, uuid: string, body: string): void {
    if (this.failed(res, this.updateFailures)) return;
    const m = this.mappings.get(uuid);
    if (!m) return sendAwsError(res, 404, "ResourceNotFoundException", `The resource you requested does not exist. (UUID ${uuid})`);
    this.apply(m, JSON.parse(body || "{}") as MappingChangeBody);
    sendJson(res, 202, m);
  }

  /** Another client's update, accepted and in progress (settles on the next read); not recorded as a request. */
  changeBy(uuid: string, change: MappingChangeBody): void {
    this.apply(this.mappings.get(uuid)!, change);
  }

  /** The enabled flag the mapping was last asked for. */
  isEnabled(uuid: string): boolean {
    return this.enabled.get(uuid) ?? false;
  }

  private apply(m: FakeMapping, change: MappingChangeBody): void {
    if (change.BatchSize !== undefined) m.BatchSize = change.BatchSize;
    if (change.Enabled !== undefined) this.enabled.set(m.UUID, change.Enabled);
    m.State = change.Enabled === true ? "Enabling" : change.Enabled === false ? "Disabling" : "Updating";
  }

  private async invokeFunction(res: ServerResponse, name: string, body: string): Promise<void> {
    let payload: unknown;
    try {
      payload = JSON.parse(body);
    } catch {
      payload = undefined;
    }
    const answer = await this.invoke(name, payload, body);
    if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
    if (res.destroyed) return;
    if (answer.hangUp) {
      res.socket?.destroy();
      return;
    }
    if (answer.error) return sendAwsError(res, answer.error.status, answer.error.type, answer.error.message);
    const text = typeof answer.payload === "string" ? answer.payload : JSON.stringify(answer.payload ?? null);
    res.writeHead(answer.status ?? 200, {
      "content-type": "application/json",
      "x-amz-executed-version": "$LATEST",
      ...(answer.functionError ? { "x-amz-function-error": answer.functionError } : {}),
    });
    res.end(text);
  }
}
