/**
 * Kinesis event source mappings as the control plane sees them.
 *
 * A mapping has two sets of settings: `desired` (what an update asked for,
 * echoed by the update's own 202 answer) and `effective` (what the poller uses,
 * and what Get and List show). An update is asynchronous like Lambda's: the
 * API answers 202 with State Updating / Enabling / Disabling, and
 * `updateDelayMs` later the desired settings become effective and the state
 * settles to Enabled or Disabled. Meanwhile, as AWS documents:
 *  - Get and List show the old settings: changes are applied asynchronously
 *    and not reflected in the output until the process completes;
 *  - another update is refused with ResourceConflictException (409, "the
 *    resource already exists, or another operation is in progress"), and an
 *    update of a mapping still Creating with ResourceInUseException ("you
 *    tried to update an event source mapping in the CREATING state").
 * The poller reads `effective` before each batch, so a change applies from the
 * next batch on.
 */
import { randomUUID } from "node:crypto";
import type { EventSourceMappingConfiguration } from "@aws-sdk/client-lambda";
import type { MappingState } from "../../runtime/ventilator/ports";
import { invalidParameter, LambdaApiError, LAMBDA_ERROR, mappingNotFound } from "./api-errors";
import { functionArn, functionNameOf, mappingArn, streamArn, streamNameOf, type Place } from "./arn";

export const REPORT_BATCH_ITEM_FAILURES = "ReportBatchItemFailures";
export type StartingPosition = "TRIM_HORIZON" | "LATEST";

export interface MappingSettings {
  /** @default 100 */
  batchSize: number;
  /** @default true */
  enabled: boolean;
  /** @default 0 */
  maximumBatchingWindowInSeconds: number;
  /** -1 = retry until the record expires. @default -1 */
  maximumRetryAttempts: number;
  /** -1 = no limit; otherwise 60..604800 as on AWS. @default -1 */
  maximumRecordAgeInSeconds: number;
  /** @default false */
  bisectBatchOnFunctionError: boolean;
  /** @default [] */
  functionResponseTypes: (typeof REPORT_BATCH_ITEM_FAILURES)[];
  /** Only 1 is emulated. @default 1 */
  parallelizationFactor: number;
  /** ARN of the on-failure destination; discarded batches are recorded whether or not one is set. */
  onFailureDestination: string | undefined;
}

export interface MappingConfig extends Partial<MappingSettings> {
  uuid?: string;
  /** Name or ARN of the function the mapping invokes. */
  functionName: string;
  /** The stream, as an ARN or a name (one of the two). */
  eventSourceArn?: string;
  streamName?: string;
  /** @default "TRIM_HORIZON" */
  startingPosition?: StartingPosition;
  /** Wait between polls of a shard that had no records (Lambda polls about once a second). @default 1000 */
  pollIntervalMs?: number;
}

const DEFAULT_SETTINGS: MappingSettings = {
  batchSize: 100,
  enabled: true,
  maximumBatchingWindowInSeconds: 0,
  maximumRetryAttempts: -1,
  maximumRecordAgeInSeconds: -1,
  bisectBatchOnFunctionError: false,
  functionResponseTypes: [],
  parallelizationFactor: 1,
  onFailureDestination: undefined,
};

/** restJson1 sends timestamps as epoch seconds; the SDK turns LastModified back into a Date. */
export type EventSourceMappingJson = Omit<EventSourceMappingConfiguration, "LastModified"> & { LastModified: number };

const SETTLED: readonly MappingState[] = ["Enabled", "Disabled"];

export class EventSourceMapping {
  readonly uuid: string;
  readonly eventSourceArn: string;
  readonly streamName: string;
  readonly startingPosition: StartingPosition;
  readonly pollIntervalMs: number;
  functionName: string;
  desired: MappingSettings;
  effective: MappingSettings;
  state: MappingState;
  lastModified: number;
  stateTransitionReason = "USER_INITIATED";
  /** Set by the poller: "OK", "PROBLEM: ..." or "No records processed". */
  lastProcessingResult = "No records processed";
  /** Updates applied so far (each one after its delay). */
  updatesApplied = 0;
  private pending: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(
    config: MappingConfig,
    private readonly place: Place,
    private readonly now: () => number,
    private readonly updateDelayMs: number,
    /** True for CreateEventSourceMapping: the mapping is Creating for `updateDelayMs` and polls nothing meanwhile. */
    creating = false,
  ) {
    const { arn, name } = streamOf(config, place);
    this.uuid = config.uuid ?? randomUUID();
    this.eventSourceArn = arn;
    this.streamName = name;
    this.functionName = functionNameOf(config.functionName);
    this.startingPosition = config.startingPosition ?? "TRIM_HORIZON";
    if (this.startingPosition !== "TRIM_HORIZON" && this.startingPosition !== "LATEST") {
      throw invalidParameter("StartingPosition", this.startingPosition, "the emulator supports TRIM_HORIZON and LATEST");
    }
    this.pollIntervalMs = config.pollIntervalMs ?? 1_000;
    if (!(this.pollIntervalMs >= 1)) throw new RangeError(`mapping ${this.uuid}: pollIntervalMs ${this.pollIntervalMs} must be >= 1`);
    const settings = withDefaults(config);
    validateSettings(settings);
    this.desired = settings;
    this.lastModified = now();
    if (creating) {
      this.effective = { ...settings, enabled: false };
      this.state = "Creating";
      this.settleLater();
    } else {
      this.effective = settings;
      this.state = settings.enabled ? "Enabled" : "Disabled";
    }
  }

  get settled(): boolean {
    return SETTLED.includes(this.state);
  }

  /**
   * UpdateEventSourceMapping: accepted now, effective after the update delay.
   * Absent or undefined fields keep their value; `onFailureDestination: undefined`, when present, clears it.
   */
  update(change: Partial<MappingSettings> & { functionName?: string }): void {
    if (this.state === "Creating") {
      throw new LambdaApiError(
        LAMBDA_ERROR.RESOURCE_IN_USE,
        `The operation cannot be performed at this time. The event source mapping ${this.uuid} is in state Creating; retry when it is Enabled or Disabled.`,
      );
    }
    if (!this.settled) {
      throw new LambdaApiError(
        LAMBDA_ERROR.RESOURCE_CONFLICT,
        `The resource already exists, or another operation is in progress: event source mapping ${this.uuid} is ${this.state}.`,
      );
    }
    const { functionName, ...settingsChange } = change;
    const next: MappingSettings = { ...this.desired, ...definedOnly(settingsChange) };
    validateSettings(next);
    const togglesEnabled = next.enabled !== this.desired.enabled;
    if (functionName !== undefined) this.functionName = functionNameOf(functionName);
    this.desired = next;
    this.state = togglesEnabled ? (next.enabled ? "Enabling" : "Disabling") : "Updating";
    this.lastModified = this.now();
    this.stateTransitionReason = "USER_INITIATED";
    this.settleLater();
  }

  /** Called whenever an update or the creation takes effect (the poller wakes up on it). */
  onSettled(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  dispose(): void {
    clearTimeout(this.pending);
    this.pending = undefined;
    this.listeners.clear();
  }

  /**
   * The API's EventSourceMappingConfiguration as it goes on the wire: the
   * applied settings (Get, List), or the requested ones (the answer to the
   * Create or Update that asked for them).
   */
  toApi(settings: "applied" | "requested" = "applied"): EventSourceMappingJson {
    const s = settings === "requested" || this.state === "Creating" ? this.desired : this.effective;
    return {
      UUID: this.uuid,
      StartingPosition: this.startingPosition,
      BatchSize: s.batchSize,
      MaximumBatchingWindowInSeconds: s.maximumBatchingWindowInSeconds,
      ParallelizationFactor: s.parallelizationFactor,
      EventSourceArn: this.eventSourceArn,
      FunctionArn: functionArn(this.place, this.functionName),
      LastModified: this.lastModified / 1000,
      LastProcessingResult: this.lastProcessingResult,
      State: this.state,
      StateTransitionReason: this.stateTransitionReason,
      DestinationConfig: { OnFailure: s.onFailureDestination ? { Destination: s.onFailureDestination } : {} },
      MaximumRecordAgeInSeconds: s.maximumRecordAgeInSeconds,
      BisectBatchOnFunctionError: s.bisectBatchOnFunctionError,
      MaximumRetryAttempts: s.maximumRetryAttempts,
      TumblingWindowInSeconds: 0,
      FunctionResponseTypes: [...s.functionResponseTypes],
      EventSourceMappingArn: mappingArn(this.place, this.uuid),
    };
  }

  private settleLater(): void {
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.effective = { ...this.desired };
      this.state = this.desired.enabled ? "Enabled" : "Disabled";
      this.updatesApplied++;
      for (const listener of this.listeners) listener();
    }, this.updateDelayMs);
  }
}

export class MappingStore {
  private readonly mappings = new Map<string, EventSourceMapping>();

  constructor(
    private readonly place: Place,
    private readonly now: () => number,
    private readonly updateDelayMs: number,
  ) {}

  create(config: MappingConfig, opts: { creating?: boolean } = {}): EventSourceMapping {
    if (config.uuid !== undefined && this.mappings.has(config.uuid)) throw new RangeError(`mapping ${config.uuid} already exists`);
    const mapping = new EventSourceMapping(config, this.place, this.now, this.updateDelayMs, opts.creating ?? false);
    for (const other of this.mappings.values()) {
      if (other.functionName === mapping.functionName && other.eventSourceArn === mapping.eventSourceArn) {
        mapping.dispose();
        throw new LambdaApiError(
          LAMBDA_ERROR.RESOURCE_CONFLICT,
          `An event source mapping with ${mapping.eventSourceArn} and function ${mapping.functionName} already exists (UUID ${other.uuid}).`,
        );
      }
    }
    this.mappings.set(mapping.uuid, mapping);
    return mapping;
  }

  get(uuid: string): EventSourceMapping {
    const mapping = this.mappings.get(uuid);
    if (!mapping) throw mappingNotFound(uuid);
    return mapping;
  }

  /** ListEventSourceMappings' filters: the function as a name or (partial) ARN, the source as an ARN. */
  list(filter: { functionName?: string; eventSourceArn?: string } = {}): EventSourceMapping[] {
    const name = filter.functionName === undefined ? undefined : functionNameOf(filter.functionName);
    return [...this.mappings.values()].filter(
      (m) => (name === undefined || m.functionName === name) && (filter.eventSourceArn === undefined || m.eventSourceArn === filter.eventSourceArn),
    );
  }

  all(): EventSourceMapping[] {
    return [...this.mappings.values()];
  }

  dispose(): void {
    for (const mapping of this.mappings.values()) mapping.dispose();
  }
}

function streamOf(config: MappingConfig, place: Place): { arn: string; name: string } {
  if (config.eventSourceArn !== undefined) {
    const name = streamNameOf(config.eventSourceArn);
    if (!name) throw invalidParameter("EventSourceArn", config.eventSourceArn, "must be a Kinesis stream ARN (arn:aws:kinesis:<region>:<account>:stream/<name>)");
    if (config.streamName !== undefined && config.streamName !== name) {
      throw invalidParameter("streamName", config.streamName, `must match the stream of EventSourceArn (${name})`);
    }
    return { arn: config.eventSourceArn, name };
  }
  if (config.streamName === undefined) throw invalidParameter("EventSourceArn", undefined, "a stream ARN or name is required");
  return { arn: streamArn(place, config.streamName), name: config.streamName };
}

function withDefaults(config: MappingConfig): MappingSettings {
  const out = { ...DEFAULT_SETTINGS };
  for (const key of Object.keys(DEFAULT_SETTINGS) as (keyof MappingSettings)[]) {
    if (config[key] !== undefined) (out as Record<string, unknown>)[key] = config[key];
  }
  return out;
}

/** Drops absent values, except onFailureDestination, where a present undefined means "clear it". */
function definedOnly(change: Partial<MappingSettings>): Partial<MappingSettings> {
  return Object.fromEntries(Object.entries(change).filter(([key, v]) => v !== undefined || key === "onFailureDestination")) as Partial<MappingSettings>;
}

/** Lambda's limits for Kinesis mappings (API reference, CreateEventSourceMapping). */
function validateSettings(s: MappingSettings): void {
  const integerIn = (field: string, value: number, min: number, max: number) => {
    if (!Number.isInteger(value) || value < min || value > max) throw invalidParameter(field, value, `must be an integer in [${min}, ${max}]`);
  };
  integerIn("BatchSize", s.batchSize, 1, 10_000);
  integerIn("MaximumBatchingWindowInSeconds", s.maximumBatchingWindowInSeconds, 0, 300);
  integerIn("MaximumRetryAttempts", s.maximumRetryAttempts, -1, 10_000);
  if (s.maximumRecordAgeInSeconds !== -1) integerIn("MaximumRecordAgeInSeconds", s.maximumRecordAgeInSeconds, 60, 604_800);
  integerIn("ParallelizationFactor", s.parallelizationFactor, 1, 10);
  if (s.parallelizationFactor !== 1) throw invalidParameter("ParallelizationFactor", s.parallelizationFactor, "the emulator runs 1 batch per shard only");
  if (typeof s.enabled !== "boolean") throw invalidParameter("Enabled", s.enabled, "must be a boolean");
  if (typeof s.bisectBatchOnFunctionError !== "boolean") throw invalidParameter("BisectBatchOnFunctionError", s.bisectBatchOnFunctionError, "must be a boolean");
  for (const type of s.functionResponseTypes) {
    if (type !== REPORT_BATCH_ITEM_FAILURES) throw invalidParameter("FunctionResponseTypes", s.functionResponseTypes, `only ${REPORT_BATCH_ITEM_FAILURES} exists`);
  }
}
