/**
 * A resource registration as the engine forwards it to analyzers: what
 * local/pulumi-mocks.ts records from the RegisterResource requests of a
 * program run under mocks (its EngineResource has this shape).
 */
export interface WireResource {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  parent?: string;
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
  /** `<provider urn>::<provider id>`. */
  provider?: string;
  options: {
    protect: boolean;
    ignoreChanges: string[];
    deleteBeforeReplace?: boolean;
    aliases: string[];
    customTimeouts: { createSeconds: number; updateSeconds: number; deleteSeconds: number };
    additionalSecretOutputs: string[];
  };
  /** Wire form: JSON with Pulumi's signature objects for assets, archives and secrets; unknowns as the engine's sentinels. */
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
}
