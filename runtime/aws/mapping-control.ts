/**
 * The mapping control policy (runtime/mapping/policy) on the Lambda control
 * plane: this file is only the transport, one SDK request per call
 * (Get/List/UpdateEventSourceMapping), with the SDK's errors classified into
 * MappingErrors. The mapping's UUID comes from configuration, or from one
 * ListEventSourceMappings per container, and is kept.
 *
 * Build the client with `maxAttempts: 1` so only the policy's retries run and
 * the counters below count real requests.
 */
import {
  GetEventSourceMappingCommand,
  ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand,
  type EventSourceMappingConfiguration,
  type LambdaClient,
} from "@aws-sdk/client-lambda";
import { MappingControlPolicy, type MappingControlOptions } from "../mapping/policy";
import { MappingError, mappingFailureOf, type MappingDelta, type MappingTransport } from "../mapping/transport";
import { MAPPING_STATES, type MappingState, type MappingView } from "../ventilator/ports";
import { describeError as describe, errorName, httpStatusOf } from "./sdk-errors";

export { MappingError } from "../mapping/transport";

export interface EventSourceMappingControlOptions extends MappingControlOptions {
  client: LambdaClient;
  /** The mapping's UUID when known; saves the List call of each cold start. */
  uuid?: string;
  /** The consumer function (the ventilator): with the stream ARN it identifies the mapping. */
  functionName: string;
  eventSourceArn: string;
}

function isMappingState(value: unknown): value is MappingState {
  return (MAPPING_STATES as readonly unknown[]).includes(value);
}

/** A failed SDK request as a MappingError: `what` names the request, the failure says how the policy may retry it. */
function failed(what: string, err: unknown): MappingError {
  return new MappingError(`${what}${describe(err)}`, { failure: mappingFailureOf(errorName(err), httpStatusOf(err)), cause: err });
}

class LambdaMappingTransport implements MappingTransport {
  private uuid: string | undefined;
  readonly counts = { get: 0, list: 0 };

  constructor(
    private readonly client: LambdaClient,
    uuid: string | undefined,
    private readonly functionName: string,
    private readonly eventSourceArn: string,
  ) {
    if (!functionName) throw new RangeError("EventSourceMappingControl: functionName must not be empty");
    if (!eventSourceArn) throw new RangeError("EventSourceMappingControl: eventSourceArn must not be empty");
    this.uuid = uuid || undefined;
  }

  /** Get by UUID, or the first time without a UUID, List. */
  async get(): Promise<MappingView> {
    if (this.uuid === undefined) return this.discover();
    const uuid = this.uuid;
    let out: EventSourceMappingConfiguration;
    try {
      this.counts.get++;
      out = await this.client.send(new GetEventSourceMappingCommand({ UUID: uuid }));
    } catch (err) {
      throw failed(`GetEventSourceMapping ${uuid} failed: `, err);
    }
    return this.viewOf(out);
  }

  async update(uuid: string, delta: MappingDelta): Promise<MappingView> {
    let out: EventSourceMappingConfiguration;
    try {
      out = await this.client.send(new UpdateEventSourceMappingCommand({ UUID: uuid, ...delta }));
    } catch (err) {
      throw failed("", err);
    }
    return this.viewOf(out);
  }

  /** ListEventSourceMappings, every page; the one mapping's UUID is kept for later Get/Update calls. */
  private async discover(): Promise<MappingView> {
    const found: EventSourceMappingConfiguration[] = [];
    let marker: string | undefined;
    do {
      try {
        this.counts.list++;
        const out = await this.client.send(new ListEventSourceMappingsCommand({ FunctionName: this.functionName, EventSourceArn: this.eventSourceArn, Marker: marker }));
        found.push(...(out.EventSourceMappings ?? []));
        marker = out.NextMarker || undefined;
      } catch (err) {
        throw failed(`ListEventSourceMappings for function "${this.functionName}" and ${this.eventSourceArn} failed: `, err);
      }
    } while (marker);
    if (found.length !== 1) {
      throw new MappingError(`expected one event source mapping from ${this.eventSourceArn} to function "${this.functionName}", found ${found.length}`);
    }
    return this.viewOf(found[0]!);
  }

  private viewOf(config: EventSourceMappingConfiguration): MappingView {
    const { UUID, BatchSize, State } = config;
    if (!UUID || BatchSize === undefined || !isMappingState(State)) {
      throw new MappingError(`event source mapping answer lacks UUID, BatchSize or a known State (got ${JSON.stringify({ UUID, BatchSize, State })})`);
    }
    this.uuid = UUID;
    return { uuid: UUID, batchSize: BatchSize, state: State };
  }
}

export class EventSourceMappingControl extends MappingControlPolicy {
  private readonly requests: LambdaMappingTransport["counts"];

  constructor(opts: EventSourceMappingControlOptions) {
    const transport = new LambdaMappingTransport(opts.client, opts.uuid, opts.functionName, opts.eventSourceArn);
    super(transport, opts);
    this.requests = transport.counts;
  }

  /** GetEventSourceMapping + ListEventSourceMappings requests made by this container. */
  get getCalls(): number {
    return this.requests.get + this.requests.list;
  }

  /** ListEventSourceMappings requests alone (at most one per container when they succeed). */
  get listCalls(): number {
    return this.requests.list;
  }
}
