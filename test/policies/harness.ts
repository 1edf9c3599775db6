/**
 * Test harness for the policies: resources and policy arguments as the engine
 * hands them over, without the Pulumi CLI and without policies/index.ts (whose
 * PolicyPack constructor would read the cwd's package.json and start a gRPC
 * server).
 *
 * - `resource(...)` makes one registration (URN with its parent's type,
 *   options, wire inputs/outputs) like the ones policies/offline/pulumi-mocks.ts records;
 * - `pipeline(provider, patch)` makes a provider's component, stream, mapping,
 *   worker and ventilator with the settings and tags the component gives them,
 *   for tests that break one setting at a time;
 * - `resourceArgs` / `stackArgs` build ResourceValidationArgs and
 *   StackValidationArgs exactly as the offline evaluator does (stackTags, a
 *   throwing notApplicable, getConfig without enforcementLevel, props behind
 *   the unknown-checking proxy, parents resolved);
 * - `check(policy, resources, config)` runs one policy through the evaluator
 *   and returns its violations with their levels.
 */
import type { EnforcementLevel, Policy, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import { mappingSettings } from "../../components/mapping";
import { REARM_TICK_MAX_EVENT_AGE_SECONDS, ventilatorReservedConcurrency } from "../../components/sizing";
import { contractTags, providerTags } from "../../components/tags";
import { serializeProvider, type Provider } from "../../runtime/catalog/provider";
import type { ProviderInput } from "../../runtime/catalog/schema";
import { validateProvider } from "../../runtime/catalog/validate";
import { VENTILATOR_ENV } from "../../runtime/lambda-env";
import { fixedClock, type PolicyClock } from "../../policies/clock";
import { analyze, type Analysis, type NormalizedPackConfig } from "../../policies/offline/analyze";
import { resourceValidationArgs, stackValidationArgs } from "../../policies/offline/args";
import type { WireResource } from "../../policies/offline/wire-resource";
import { TYPE } from "../../policies/resource-types";
import { UNKNOWN_VALUE } from "../../policies/policy-internals";

export const STACK = "dev";
export const PROJECT = "sluice";
export const STACK_TAGS: ReadonlyMap<string, string> = new Map([
  ["pulumi:project", PROJECT],
  ["pulumi:runtime", "nodejs"],
]);

/** What the engine sends for values a preview cannot know (an ARN, an environment built with apply). */
export const UNKNOWN = UNKNOWN_VALUE;

export function urnOf(type: string, name: string, parent?: Pick<WireResource, "urn">): string {
  const parentType = parent ? parent.urn.split("::")[2]!.split("$").at(-1)! : undefined;
  return `urn:pulumi:${STACK}::${PROJECT}::${parentType ? `${parentType}$` : ""}${type}::${name}`;
}

export interface ResourceOptions {
  parent?: WireResource;
  ignoreChanges?: string[];
  dependencies?: WireResource[];
  /** Outputs when they differ from the inputs (stack policies read outputs). */
  outputs?: Record<string, unknown>;
}

export function resource(type: string, name: string, props: Record<string, unknown>, opts: ResourceOptions = {}): WireResource {
  return {
    urn: urnOf(type, name, opts.parent),
    type,
    name,
    custom: type !== TYPE.PIPELINE,
    ...(opts.parent ? { parent: opts.parent.urn } : {}),
    dependencies: (opts.dependencies ?? []).map((d) => d.urn),
    propertyDependencies: {},
    options: {
      protect: false,
      ignoreChanges: opts.ignoreChanges ?? [],
      aliases: [],
      customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
      additionalSecretOutputs: [],
    },
    inputs: structuredClone(props),
    outputs: structuredClone(opts.outputs ?? props),
  };
}

/** A provider entry through the catalog's validator, from a few fields. */
export function provider(entry: Partial<ProviderInput> & { id: string }): Provider {
  return validateProvider({ maxConcurrency: 8, worker: { module: "chaos" }, ...entry });
}

/** meridian-funds in miniature: cap 8, 1 shard × factor 2 × fan-out 4, London nights, Sunday 01:00–04:00 maintenance. */
export const ACME: Provider = provider({
  id: "acme",
  maxConcurrency: 8,
  maxFanOut: 4,
  shardCount: 1,
  parallelizationFactor: 2,
  timezone: "Europe/London",
  accessWindows: [{ start: "20:00", end: "06:00" }],
  maintenanceWindows: [{ day: "sun", start: "01:00", end: "04:00" }],
});

type Props = Record<string, unknown>;
export interface PipelinePatch {
  stream?: Props;
  mapping?: Props;
  worker?: Props;
  ventilator?: Props;
  /** The re-arm tick's FunctionEventInvokeConfig; null leaves it out. */
  tickConfig?: Props | null;
  /** Tags of the stream, mapping and worker (replaces the contract tags). */
  contract?: Record<string, string>;
}

export interface Pipeline {
  component: WireResource;
  stream: WireResource;
  mapping: WireResource;
  worker: WireResource;
  ventilator: WireResource;
  tickConfig?: WireResource;
  all: WireResource[];
}

/** A provider's pipeline with the settings and tags the component gives it; `patch` overrides props per resource. */
export function pipeline(p: Provider = ACME, patch: PipelinePatch = {}): Pipeline {
  const contract = patch.contract ?? contractTags(p);
  const component = resource(TYPE.PIPELINE, p.id, {});
  const child = { parent: component };
  const stream = resource(
    TYPE.STREAM,
    `${p.id}-stream`,
    { name: `sluice-${STACK}-${p.id}`, shardCount: p.shardCount, retentionPeriod: p.streamRetentionHours, encryptionType: "KMS", kmsKeyId: "alias/aws/kinesis", tags: contract, ...patch.stream },
    child,
  );
  const worker = resource(
    TYPE.FUNCTION,
    `${p.id}-worker`,
    { name: `sluice-${STACK}-${p.id}-worker`, reservedConcurrentExecutions: p.maxConcurrency, tags: contract, ...patch.worker },
    child,
  );
  const ventilator = resource(
    TYPE.FUNCTION,
    `${p.id}-ventilator`,
    {
      name: `sluice-${STACK}-${p.id}-ventilator`,
      reservedConcurrentExecutions: ventilatorReservedConcurrency(p),
      environment: { variables: { [VENTILATOR_ENV.PROVIDER]: serializeProvider(p) } },
      tags: providerTags(p),
      ...patch.ventilator,
    },
    child,
  );
  const mapping = resource(
    TYPE.MAPPING,
    `${p.id}-mapping`,
    { ...mappingSettings(p), eventSourceArn: `arn:aws:kinesis:eu-west-2:123456789012:stream/sluice-${STACK}-${p.id}`, tags: contract, ...patch.mapping },
    { ...child, ignoreChanges: p.enabled ? ["batchSize", "enabled"] : ["batchSize"], dependencies: [ventilator] },
  );
  const tickConfig =
    patch.tickConfig === null
      ? undefined
      : resource(
          TYPE.INVOKE_CONFIG,
          `${p.id}-rearm-invoke-config`,
          { functionName: `sluice-${STACK}-${p.id}-ventilator`, maximumRetryAttempts: 0, maximumEventAgeInSeconds: REARM_TICK_MAX_EVENT_AGE_SECONDS, ...patch.tickConfig },
          child,
        );
  return {
    component,
    stream,
    mapping,
    worker,
    ventilator,
    ...(tickConfig ? { tickConfig } : {}),
    all: [component, stream, worker, ventilator, mapping, ...(tickConfig ? [tickConfig] : [])],
  };
}

export function resourceArgs(r: WireResource, config: Record<string, unknown> = {}): ResourceValidationArgs {
  return resourceValidationArgs(r, { stackTags: STACK_TAGS, config });
}

export function stackArgs(resources: readonly WireResource[], config: Record<string, unknown> = {}): StackValidationArgs {
  return stackValidationArgs(resources, { stackTags: STACK_TAGS, config });
}

export interface Violation {
  policy: string;
  level: EnforcementLevel;
  /** The message without the policy's description line. */
  message: string;
  urn?: string;
}

export interface CheckResult extends Analysis {
  violations: Violation[];
}

export interface CheckOptions {
  config?: Record<string, unknown>;
  enforcementLevel?: EnforcementLevel;
}

/** Runs policies over resources as the engine would (resource policies on inputs, stack policies on outputs). */
export async function check(policies: Policy | Policy[], resources: readonly WireResource[], opts: CheckOptions = {}): Promise<CheckResult> {
  const list = Array.isArray(policies) ? policies : [policies];
  const config: NormalizedPackConfig = {};
  for (const p of list) {
    config[p.name] = { properties: opts.config ?? {}, ...(opts.enforcementLevel ? { enforcementLevel: opts.enforcementLevel } : {}) };
  }
  const analysis = await analyze({ name: "sluice", version: "0.1.0", enforcementLevel: "advisory", policies: list }, resources, { config, stackTags: STACK_TAGS });
  const violations = analysis.diagnostics.map((d) => ({
    policy: d.policyName,
    level: d.enforcementLevel,
    message: d.message.startsWith(`${d.description}\n`) ? d.message.slice(d.description.length + 1) : d.message,
    ...(d.urn ? { urn: d.urn } : {}),
  }));
  return { ...analysis, violations };
}

/** A clock stopped at an ISO instant. */
export function at(iso: string): PolicyClock {
  return fixedClock(Date.parse(iso), "test");
}
