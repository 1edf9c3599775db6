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
import { invalidParameter, LambdaApiError, LAMBDA_ERROR } from "./api-errors";
import { functionArn, functionNameOf, mappingArn, type Place } from "./arn";
import { definedOnly, streamOf, validateSettings, withDefaults, type MappingConfig, type MappingSettings, type StartingPosition } from "./mapping-settings";

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
