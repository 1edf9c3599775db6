/**
 * A resource registration as the engine forwards it to analyzers. The one
 * definition is pulumi-mocks.ts's EngineResource, which records exactly
 * that from the RegisterResource requests of a program run under mocks.
 */
export type { EngineResource as WireResource } from "./pulumi-mocks";
