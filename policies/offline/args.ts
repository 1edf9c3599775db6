/**
 * ResourceValidationArgs and StackValidationArgs built the way @pulumi/policy's
 * analyzer server builds them from the engine's requests (server.js,
 * makeAnalyzeRpcFun / makeAnalyzeStackRpcFun), for running policies without
 * the Pulumi CLI: `sluice policy-check` and the tests.
 *
 * - props: the wire properties deserialized by @pulumi/policy's own
 *   deserializer and wrapped in its unknown-checking proxy; inputs for
 *   resource policies, outputs for stack policies;
 * - opts: the resource options of the registration (parent, ignoreChanges…);
 * - stack resources: parent and dependencies resolved to the resource objects;
 * - getConfig: the policy's config without enforcementLevel;
 * - notApplicable: throws, as the SDK's does.
 */
import type { PolicyProviderResource, PolicyResource, PolicyResourceOptions, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import type { Resource } from "@pulumi/pulumi";
import { deserializeWire, unknownCheckingProxy } from "../policy-internals";
import type { WireResource } from "./wire-resource";

/** Thrown by `notApplicable`; the runner records the policy as not applicable to the resource. */
export class NotApplicable extends Error {
  constructor(readonly reason: string | undefined) {
    super(reason ?? "Policy does not apply");
  }
}

function throwNotApplicable(reason?: string): never {
  throw new NotApplicable(reason);
}

/** Like the SDK: a class with a Pulumi type token matches by token, else by isInstance. */
function isTypeOf(type: string, resourceClass: unknown): boolean {
  const token = (resourceClass as { __pulumiType?: unknown } | null)?.__pulumiType;
  if (typeof token === "string" && token.length > 0) return type === token;
  const isInstance = (resourceClass as { isInstance?: unknown } | null)?.isInstance;
  return typeof isInstance === "function" && isInstance({ __pulumiType: type }) === true;
}

export function resourceOptions(r: WireResource): PolicyResourceOptions {
  return {
    protect: r.options.protect,
    ignoreChanges: [...r.options.ignoreChanges],
    aliases: [...r.options.aliases],
    customTimeouts: { ...r.options.customTimeouts },
    additionalSecretOutputs: [...r.options.additionalSecretOutputs],
    ...(r.options.deleteBeforeReplace !== undefined ? { deleteBeforeReplace: r.options.deleteBeforeReplace } : {}),
    ...(r.parent ? { parent: r.parent } : {}),
  };
}

function providerOf(r: WireResource, all: readonly WireResource[]): PolicyProviderResource | undefined {
  if (!r.provider) return undefined;
  const urn = r.provider.slice(0, r.provider.lastIndexOf("::"));
  const p = all.find((x) => x.urn === urn);
  return p ? { type: p.type, urn: p.urn, name: p.name, props: unknownCheckingProxy(deserializeWire(p.outputs)) } : undefined;
}

export interface ArgsContext {
  stackTags: ReadonlyMap<string, string>;
  /** The policy's config, enforcementLevel removed. */
  config: Record<string, unknown>;
  /** Every registration, to resolve provider references. */
  all?: readonly WireResource[];
}

export function resourceValidationArgs(r: WireResource, ctx: ArgsContext): ResourceValidationArgs {
  const props = unknownCheckingProxy(deserializeWire(r.inputs));
  const provider = providerOf(r, ctx.all ?? []);
  return {
    type: r.type,
    props,
    urn: r.urn,
    name: r.name,
    opts: resourceOptions(r),
    stackTags: ctx.stackTags,
    isType: (resourceClass: unknown) => isTypeOf(r.type, resourceClass),
    asType: ((resourceClass: unknown) => (isTypeOf(r.type, resourceClass) ? props : undefined)) as ResourceValidationArgs["asType"],
    getConfig: <T extends object>() => ({ ...ctx.config }) as T,
    notApplicable: throwNotApplicable,
    ...(provider ? { provider } : {}),
  } as ResourceValidationArgs;
}

export function stackValidationArgs(resources: readonly WireResource[], ctx: ArgsContext): StackValidationArgs {
  const byUrn = new Map<string, PolicyResource>();
  const built = resources.map((r) => {
    const props = unknownCheckingProxy(deserializeWire(r.outputs));
    const provider = providerOf(r, ctx.all ?? resources);
    const resource: PolicyResource = {
      type: r.type,
      props,
      urn: r.urn,
      name: r.name,
      opts: resourceOptions(r),
      dependencies: [],
      propertyDependencies: {},
      isType: <T extends Resource>(resourceClass: new (...rest: any[]) => T) => isTypeOf(r.type, resourceClass),
      asType: ((resourceClass: unknown) => (isTypeOf(r.type, resourceClass) ? props : undefined)) as PolicyResource["asType"],
      ...(provider ? { provider } : {}),
    };
    byUrn.set(r.urn, resource);
    return { wire: r, resource };
  });
  for (const { wire, resource } of built) {
    const parent = wire.parent ? byUrn.get(wire.parent) : undefined;
    if (parent) resource.parent = parent;
    resource.dependencies = wire.dependencies.flatMap((u) => byUrn.get(u) ?? []);
    for (const [key, urns] of Object.entries(wire.propertyDependencies)) resource.propertyDependencies[key] = urns.flatMap((u) => byUrn.get(u) ?? []);
  }
  return {
    resources: built.map((b) => b.resource),
    stackTags: ctx.stackTags,
    getConfig: <T extends object>() => ({ ...ctx.config }) as T,
    notApplicable: throwNotApplicable,
  };
}
