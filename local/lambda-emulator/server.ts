/**
 * The Lambda REST API (restJson1, version 2015-03-31) for the operations sluice
 * calls, on 127.0.0.1 and a free port, so @aws-sdk/client-lambda runs against
 * it unchanged. Paths, status codes, headers and JSON members follow the API
 * model the SDK is generated from:
 *   POST /2015-03-31/functions/{FunctionName}/invocations     Invoke (200; 202 Event; 204 DryRun)
 *   GET  /2015-03-31/event-source-mappings/{UUID}             GetEventSourceMapping (200)
 *   GET  /2015-03-31/event-source-mappings?FunctionName&EventSourceArn&Marker&MaxItems
 *                                                             ListEventSourceMappings (200)
 *   PUT  /2015-03-31/event-source-mappings/{UUID}             UpdateEventSourceMapping (202)
 *   POST /2015-03-31/event-source-mappings                    CreateEventSourceMapping (202)
 * A function error is HTTP 200 with X-Amz-Function-Error; errors carry their
 * type in x-amzn-errortype. Control-plane operations share one token bucket
 * (Lambda: 15 req/s per account and Region) and are counted by the meter;
 * Invoke is data plane and is neither limited nor counted there.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Clock } from "../../runtime/ventilator/ports";
import { functionNotFound, invalidParameter, LambdaApiError, LAMBDA_ERROR, THROTTLE_REASON } from "./api-errors";
import { functionNameOf } from "./arn";
import { CONTROL_PLANE_OPERATION, type ControlPlaneMeter, type ControlPlaneOperation } from "./control-plane-meter";
import type { FunctionRegistry } from "./functions";
import type { EventSourceMapping } from "./event-source-mapping";
import type { MappingConfig } from "./mapping-settings";
import type { MappingStore } from "./mapping-store";
import { errorAnswer, header, json, parseJson, readBody, type Answer } from "./http-wire";
import { CREATABLE, settingsFrom, UPDATABLE } from "./mapping-request";
import { TokenBucket } from "./token-bucket";

export interface LambdaServerOptions {
  functions: FunctionRegistry;
  mappings: MappingStore;
  meter: ControlPlaneMeter;
  clock: Clock;
  /** Control-plane requests per second (burst the same); null = unlimited. */
  controlPlaneRps: number | null;
  /** A mapping created through CreateEventSourceMapping needs a poller: the emulator starts one here. */
  onMappingCreated?: (mapping: EventSourceMapping) => void;
}

export interface LambdaServer {
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

const FUNCTIONS = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/;
const MAPPINGS = /^\/2015-03-31\/event-source-mappings\/?$/;
const MAPPING = /^\/2015-03-31\/event-source-mappings\/([^/]+)\/?$/;

export async function startLambdaServer(opts: LambdaServerOptions): Promise<LambdaServer> {
  const bucket = opts.controlPlaneRps === null ? undefined : new TokenBucket(opts.controlPlaneRps, opts.clock);
  const api = new LambdaApi(opts, bucket);
  const server = createServer((req, res) => void api.handle(req, res));
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

class LambdaApi {
  constructor(
    private readonly opts: LambdaServerOptions,
    private readonly bucket: TokenBucket | undefined,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    let answer: Answer;
    try {
      const body = await readBody(req);
      answer = await this.route(req.method ?? "GET", new URL(req.url ?? "/", "http://localhost"), req, body);
    } catch (error) {
      answer = errorAnswer(error);
    }
    res.writeHead(answer.status, { "x-amzn-requestid": requestId, ...(answer.body !== undefined ? { "content-type": "application/json" } : {}), ...answer.headers });
    res.end(answer.body);
  }

  private async route(method: string, url: URL, req: IncomingMessage, body: Buffer): Promise<Answer> {
    const path = url.pathname;
    const invoke = FUNCTIONS.exec(path);
    if (invoke && method === "POST") return this.invoke(decodeURIComponent(invoke[1]!), req, body);
    if (MAPPINGS.test(path) && method === "GET") return this.controlPlane(CONTROL_PLANE_OPERATION.LIST_MAPPINGS, url.searchParams.get("FunctionName") ?? undefined, () => this.list(url));
    if (MAPPINGS.test(path) && method === "POST") {
      const input = parseJson(body);
      return this.controlPlane(CONTROL_PLANE_OPERATION.CREATE_MAPPING, typeof input.FunctionName === "string" ? input.FunctionName : undefined, () => this.create(input));
    }
    const one = MAPPING.exec(path);
    if (one && (method === "GET" || method === "PUT")) {
      const uuid = decodeURIComponent(one[1]!);
      const functionName = this.opts.mappings.all().find((m) => m.uuid === uuid)?.functionName;
      if (method === "GET") return this.controlPlane(CONTROL_PLANE_OPERATION.GET_MAPPING, functionName, () => json(200, this.opts.mappings.get(uuid).toApi()));
      return this.controlPlane(CONTROL_PLANE_OPERATION.UPDATE_MAPPING, functionName, () => this.update(uuid, parseJson(body)));
    }
    throw new LambdaApiError(LAMBDA_ERROR.UNKNOWN_OPERATION, `The emulator does not implement ${method} ${path}`);
  }

  /** Rate limit, then count: a refused call costs quota on AWS too, so it is counted with status 429. */
  private async controlPlane(operation: ControlPlaneOperation, functionName: string | undefined, run: () => Answer | Promise<Answer>): Promise<Answer> {
    const at = this.opts.clock.now();
    const attributed = functionName === undefined ? undefined : functionNameOf(functionName);
    if (this.bucket && !this.bucket.tryTake()) {
      this.opts.meter.record({ operation, at, functionName: attributed, status: 429 });
      const retryAfter = Math.max(1, this.bucket.secondsUntilNext());
      const error = new LambdaApiError(LAMBDA_ERROR.TOO_MANY_REQUESTS, "Rate exceeded", { reason: THROTTLE_REASON.CALLER_RATE, retryAfterSeconds: retryAfter });
      return errorAnswer(error);
    }
    let answer: Answer;
    try {
      answer = await run();
    } catch (error) {
      answer = errorAnswer(error);
    }
    this.opts.meter.record({ operation, at, functionName: attributed, status: answer.status });
    return answer;
  }

  private async invoke(functionName: string, req: IncomingMessage, body: Buffer): Promise<Answer> {
    const type = header(req, "x-amz-invocation-type") ?? "RequestResponse";
    if (!this.opts.functions.has(functionName)) throw functionNotFound(functionName);
    if (type === "DryRun") return { status: 204 };
    let event: unknown;
    try {
      event = body.length === 0 ? {} : JSON.parse(body.toString("utf8"));
    } catch (error) {
      throw new LambdaApiError(LAMBDA_ERROR.INVALID_REQUEST_CONTENT, `Could not parse request body into json: ${(error as Error).message}`);
    }
    if (type === "Event") {
      // Asynchronous invocation: accepted now, run in the background; its outcome is in the invocation log.
      void this.opts.functions.invoke(functionName, event, { source: "api" }).catch(() => undefined);
      return { status: 202, headers: {}, body: undefined };
    }
    if (type !== "RequestResponse") throw invalidParameter("InvocationType", type, "must be RequestResponse, Event or DryRun");
    const result = await this.opts.functions.invoke(functionName, event, { source: "api" });
    const headers: Record<string, string> = { "x-amz-executed-version": "$LATEST" };
    if (result.functionError !== undefined) headers["x-amz-function-error"] = result.functionError;
    return { status: 200, headers, body: JSON.stringify(result.payload) };
  }

  private list(url: URL): Answer {
    const q = url.searchParams;
    const maxItems = q.has("MaxItems") ? Number(q.get("MaxItems")) : 100;
    if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > 10_000) throw invalidParameter("MaxItems", q.get("MaxItems"), "must be an integer in [1, 10000]");
    const start = q.has("Marker") ? Number(q.get("Marker")) : 0;
    if (!Number.isInteger(start) || start < 0) throw invalidParameter("Marker", q.get("Marker"), "is not a marker this API returned");
    const found = this.opts.mappings.list({ functionName: q.get("FunctionName") ?? undefined, eventSourceArn: q.get("EventSourceArn") ?? undefined });
    const page = found.slice(start, start + maxItems);
    const next = start + maxItems < found.length ? String(start + maxItems) : undefined;
    return json(200, { EventSourceMappings: page.map((m) => m.toApi()), ...(next ? { NextMarker: next } : {}) });
  }

  private update(uuid: string, input: Record<string, unknown>): Answer {
    const mapping = this.opts.mappings.get(uuid);
    const { functionName, change } = settingsFrom(input, UPDATABLE);
    if (functionName !== undefined && !this.opts.functions.has(functionName)) throw functionNotFound(functionName);
    mapping.update({ ...change, ...(functionName !== undefined ? { functionName } : {}) });
    return json(202, mapping.toApi("requested"));
  }

  private create(input: Record<string, unknown>): Answer {
    const { functionName, change } = settingsFrom(input, CREATABLE);
    if (functionName === undefined) throw invalidParameter("FunctionName", undefined, "is required");
    if (!this.opts.functions.has(functionName)) throw functionNotFound(functionName);
    if (typeof input.EventSourceArn !== "string") throw invalidParameter("EventSourceArn", input.EventSourceArn, "is required");
    const config: MappingConfig = {
      ...change,
      functionName,
      eventSourceArn: input.EventSourceArn,
      ...(input.StartingPosition !== undefined ? { startingPosition: input.StartingPosition as MappingConfig["startingPosition"] } : {}),
    };
    if (config.startingPosition === undefined) throw invalidParameter("StartingPosition", undefined, "is required for a Kinesis stream");
    const mapping = this.opts.mappings.create(config, { creating: true });
    this.opts.onMappingCreated?.(mapping);
    return json(202, mapping.toApi("requested"));
  }
}
