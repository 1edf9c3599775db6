/**
 * Every event source mapping of the emulated account, by UUID: create (one
 * mapping per function and stream, as Lambda refuses a second), get, and
 * ListEventSourceMappings' filters.
 */
import { LambdaApiError, LAMBDA_ERROR, mappingNotFound } from "./api-errors";
import { functionNameOf, type Place } from "./arn";
import { EventSourceMapping } from "./event-source-mapping";
import type { MappingConfig } from "./mapping-settings";

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
