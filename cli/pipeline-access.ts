/**
 * The deployed pipeline of one provider as the commands reach it: the stream,
 * the ledger (production Ledger on DynamoDbLedgerStore) and the event source
 * mapping (production EventSourceMappingControl). A missing resource becomes
 * a NotDeployedError naming it; any other failure an AwsCallError of one line
 * that names the call and, for an unreachable endpoint, the endpoint.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DescribeStreamSummaryCommand, type KinesisClient } from "@aws-sdk/client-kinesis";
import type { LambdaClient } from "@aws-sdk/client-lambda";
import { realSleep } from "../runtime/backoff";
import { dynamoClient, endpointFor, kinesisClient, lambdaClient, type Service } from "../runtime/aws/clients";
import { EventSourceMappingControl, MappingError } from "../runtime/aws/mapping-control";
import { describeError, errorName } from "../runtime/aws/sdk-errors";
import type { Provider } from "../runtime/catalog/provider";
import { DynamoDbLedgerStore } from "../runtime/ledger/dynamodb-store";
import { Ledger, ledgerSettings } from "../runtime/ledger/ledger";
import { systemClock } from "../runtime/ventilator/ports";
import { AwsCallError, NotDeployedError } from "./errors";
import { scanDay, type RecordCensus } from "./ledger-census";
import type { PipelineResources } from "./resources";

/** One set of SDK clients per command run, shared by every provider it touches. */
export class AwsClients {
  private made: { kinesis?: KinesisClient; lambda?: LambdaClient; dynamo?: DynamoDBClient } = {};

  constructor() {
    // The SDK's multi-line warning about its future Node.js support on every run buries the one line an
    // operator needs; `package.json` engines is where the supported Node.js is stated. Set it to "false" to see it.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  }

  get kinesis(): KinesisClient {
    return (this.made.kinesis ??= kinesisClient());
  }

  /** One attempt per SDK call: EventSourceMappingControl runs its own retry of throttles, so calls are counted once. */
  get lambda(): LambdaClient {
    return (this.made.lambda ??= lambdaClient({ maxAttempts: 1 }));
  }

  get dynamo(): DynamoDBClient {
    return (this.made.dynamo ??= dynamoClient());
  }

  destroy(): void {
    for (const client of Object.values(this.made)) client.destroy();
    this.made = {};
  }
}

/** Whether `err`, or any error in its cause chain, says the resource does not exist. */
export function isNotFound(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    if (errorName(e) === "ResourceNotFoundException") return true;
    // EventSourceMappingControl reports an empty ListEventSourceMappings this way (no SDK error to name).
    if (e instanceof MappingError && /found 0$/.test(e.message)) return true;
  }
  return false;
}

const NETWORK_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "EAI_AGAIN"]);

function networkCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && NETWORK_CODES.has(code)) return code;
    for (const inner of (e as { errors?: unknown[] }).errors ?? []) {
      const c = (inner as { code?: unknown }).code;
      if (typeof c === "string" && NETWORK_CODES.has(c)) return c;
    }
  }
  return undefined;
}

/** One line for a failed call: what was asked, why it failed, and where, when the endpoint did not answer. */
export function callFailure(service: Service, what: string, err: unknown): AwsCallError {
  const code = networkCode(err);
  if (code) {
    const endpoint = endpointFor(service);
    const where = endpoint ? `${endpoint} (AWS_ENDPOINT_URL_${service})` : `the ${service.toLowerCase()} endpoint of region ${process.env.AWS_REGION ?? "us-east-1"}`;
    return new AwsCallError(`${what} failed: cannot reach ${where}: ${code}`, { cause: err });
  }
  // Ledger and mapping errors are already sentences naming their call.
  const detail = err instanceof Error && err.name !== "Error" && /^(Ledger|Mapping)/.test(err.name) ? err.message : describeError(err);
  return new AwsCallError(`${what} failed: ${detail}`, { cause: err });
}

export class PipelineAccess {
  readonly ledger: Ledger;
  private mappingControl: EventSourceMappingControl | undefined;
  private arn: string | undefined;

  constructor(
    readonly provider: Provider,
    readonly resources: PipelineResources,
    readonly where: string,
    private readonly clients: AwsClients,
  ) {
    this.ledger = new Ledger(new DynamoDbLedgerStore({ tableName: resources.table, client: clients.dynamo }), ledgerSettings(provider));
    this.arn = resources.streamArn;
  }

  get kinesis(): KinesisClient {
    return this.clients.kinesis;
  }

  /** The stream's ARN (from the outputs, or DescribeStreamSummary); NotDeployedError when the stream does not exist. */
  async streamArn(): Promise<string> {
    return this.arn ?? this.describeStream();
  }

  /** Asks Kinesis, even when the outputs named the ARN: the stream must exist before records are sent. */
  async describeStream(): Promise<string> {
    try {
      const out = await this.clients.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: this.resources.stream }));
      const arn = out.StreamDescriptionSummary?.StreamARN;
      if (!arn) throw new AwsCallError(`DescribeStreamSummary of stream ${this.resources.stream} returned no StreamARN`);
      this.arn = arn;
      return arn;
    } catch (err) {
      throw this.failure("KINESIS", `DescribeStreamSummary of stream ${this.resources.stream}`, `stream ${this.resources.stream}`, err);
    }
  }

  /** The production mapping adapter, built once the stream ARN is known. */
  async mapping(): Promise<EventSourceMappingControl> {
    if (this.mappingControl) return this.mappingControl;
    const eventSourceArn = await this.streamArn();
    this.mappingControl = new EventSourceMappingControl({
      client: this.clients.lambda,
      functionName: this.resources.ventilator,
      eventSourceArn,
      ...(this.resources.mappingUuid ? { uuid: this.resources.mappingUuid } : {}),
      clock: systemClock,
      sleep: realSleep,
      // An operator's change is one deliberate call, never held back by the per-container pacing.
      minUpdateIntervalMs: 0,
    });
    return this.mappingControl;
  }

  /** Runs a ledger call; a missing table becomes NotDeployedError, anything else AwsCallError. */
  async ledgerCall<T>(what: string, call: (ledger: Ledger) => Promise<T>): Promise<T> {
    try {
      return await call(this.ledger);
    } catch (err) {
      throw this.failure("DYNAMODB", `${what} in table ${this.resources.table}`, `table ${this.resources.table}`, err);
    }
  }

  /** Today's records by origin and status: a Scan of the whole table (see ledger-census.ts). */
  async census(day: string, now: number): Promise<RecordCensus> {
    try {
      return await scanDay(this.clients.dynamo, this.resources.table, day, now);
    } catch (err) {
      throw this.failure("DYNAMODB", `Scan of table ${this.resources.table}`, `table ${this.resources.table}`, err);
    }
  }

  /** Runs a mapping call; a missing stream or mapping becomes NotDeployedError. */
  async mappingCall<T>(what: string, call: (mapping: EventSourceMappingControl) => Promise<T>): Promise<T> {
    const mapping = await this.mapping();
    try {
      return await call(mapping);
    } catch (err) {
      throw this.failure("LAMBDA", `${what} of the event source mapping ${this.resources.stream} → ${this.resources.ventilator}`, `event source mapping ${this.resources.stream} → ${this.resources.ventilator}`, err);
    }
  }

  private failure(service: Service, what: string, missing: string, err: unknown): Error {
    if (err instanceof NotDeployedError || err instanceof AwsCallError) return err;
    if (isNotFound(err)) return new NotDeployedError(this.provider.id, this.where, [missing]);
    return callFailure(service, what, err);
  }
}
