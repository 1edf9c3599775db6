/**
 * The pipeline's state (controller, pause) as one versioned item: a save
 * succeeds only if nobody saved since the version was loaded, so two
 * invocations deciding at once cannot both win.
 */
import { LedgerInputError } from "./errors";
import { pipelineItem, readPipeline } from "./items";
import { PIPELINE_KEY } from "./layout";
import type { LedgerScope } from "./scope";
import { when } from "./store";
import type { PipelineState, VersionedPipelineState } from "./types";

export class PipelineStore {
  constructor(private readonly scope: LedgerScope) {}

  async loadPipeline(): Promise<VersionedPipelineState | null> {
    const item = await this.scope.io("loadPipeline", () => this.scope.store.get(PIPELINE_KEY));
    return item && readPipeline(PIPELINE_KEY, item);
  }
  /**
   * Saves if nobody saved since `expectedVersion` was loaded (null: nothing
   * was saved yet). False on a conflict: reload and decide again, e.g. the
   * loser of two invocations claiming the one half-open probe.
   */
  async savePipeline(state: PipelineState, expectedVersion: number | null): Promise<boolean> {
    if (expectedVersion !== null && (!Number.isInteger(expectedVersion) || expectedVersion < 1)) throw new LedgerInputError("expectedVersion", expectedVersion, "null or an integer ≥ 1");
    const condition = expectedVersion === null ? when.absent() : when.eq("version", expectedVersion);
    const result = await this.scope.io("savePipeline", () => this.scope.store.put(PIPELINE_KEY, pipelineItem(state, (expectedVersion ?? 0) + 1), condition));
    return result.ok;
  }}
