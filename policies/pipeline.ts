/**
 * Which provider pipeline a resource belongs to, and what part of it it is.
 *
 * A resource is in a pipeline when its parent is a ProviderPipeline component
 * (its URN's type chain reads `sluice:index:ProviderPipeline$…`, which the
 * engine always knows, even in a preview) or when it carries `sluice/provider`.
 * Its role follows the component's shape: one stream, one event source
 * mapping, two functions told apart by their logical names
 * `<pipeline>-worker` and `<pipeline>-ventilator`, and the ventilator's
 * asynchronous invoke config (components/provider-pipeline.ts).
 */
import { legacyTagKey, TAG } from "../components/tags";
import { knownTags, UNKNOWN } from "./known";
import { TYPE } from "./resource-types";

export const ROLE = {
  STREAM: "stream",
  MAPPING: "mapping",
  WORKER: "worker",
  VENTILATOR: "ventilator",
  /** The ventilator's FunctionEventInvokeConfig: how its re-arm tick is (not) retried. */
  TICK_CONFIG: "tickConfig",
  OTHER: "other",
} as const;
export type Role = (typeof ROLE)[keyof typeof ROLE];

/** The roles that carry the provider's contract as tags. */
export const CONTRACT_ROLES: readonly Role[] = [ROLE.STREAM, ROLE.MAPPING, ROLE.WORKER];

/** What every policy argument and stack resource has in common. */
export interface ResourceLike {
  type: string;
  name: string;
  urn: string;
  props: Record<string, any>;
}

/** Parts of `urn:pulumi:<stack>::<project>::<qualified type>::<name>`; the name may itself hold "::". */
export function parseUrn(urn: string): { stack: string; project: string; typeChain: string[]; name: string } {
  const parts = urn.split("::");
  const head = parts[0] ?? "";
  if (parts.length < 4 || !head.startsWith("urn:pulumi:")) throw new RangeError(`not a Pulumi URN: ${JSON.stringify(urn)}`);
  return { stack: head.slice("urn:pulumi:".length), project: parts[1]!, typeChain: parts[2]!.split("$"), name: parts.slice(3).join("::") };
}

/** Whether the resource is a child of a ProviderPipeline, from its URN alone. */
export function childOfPipeline(urn: string): boolean {
  const chain = parseUrn(urn).typeChain;
  return chain.slice(0, -1).includes(TYPE.PIPELINE);
}

/** The provider id from `sluice/provider` (`sluice:provider` on stacks deployed before), when the tags are known and carry it. */
export function providerTag(props: Record<string, any>): string | undefined {
  const tags = knownTags(props);
  return tags === UNKNOWN ? undefined : (tags[TAG.PROVIDER] ?? tags[legacyTagKey(TAG.PROVIDER)]);
}

export function inPipeline(r: ResourceLike): boolean {
  return r.type !== TYPE.PIPELINE && (childOfPipeline(r.urn) || providerTag(r.props) !== undefined);
}

export function roleOf(r: Pick<ResourceLike, "type" | "name">): Role {
  switch (r.type) {
    case TYPE.STREAM:
      return ROLE.STREAM;
    case TYPE.MAPPING:
      return ROLE.MAPPING;
    case TYPE.FUNCTION:
      if (r.name.endsWith("-worker")) return ROLE.WORKER;
      if (r.name.endsWith("-ventilator")) return ROLE.VENTILATOR;
      return ROLE.OTHER;
    case TYPE.INVOKE_CONFIG:
      return ROLE.TICK_CONFIG;
    default:
      return ROLE.OTHER;
  }
}

/** One provider's resources in a stack. */
export interface PipelineGroup<R extends ResourceLike = ResourceLike> {
  provider: string;
  component?: R;
  stream?: R;
  mapping?: R;
  worker?: R;
  ventilator?: R;
  tickConfig?: R;
  members: R[];
}

/**
 * Groups a stack's resources by pipeline: by parent component (its name is the
 * provider id), else by `sluice/provider`. Resources in neither are left out.
 */
export function groupPipelines<R extends ResourceLike & { parent?: R | undefined }>(resources: readonly R[]): PipelineGroup<R>[] {
  const groups = new Map<string, PipelineGroup<R>>();
  const group = (provider: string): PipelineGroup<R> => {
    let g = groups.get(provider);
    if (!g) groups.set(provider, (g = { provider, members: [] }));
    return g;
  };
  for (const r of resources) {
    if (r.type === TYPE.PIPELINE) {
      group(r.name).component = r;
      continue;
    }
    const provider = r.parent?.type === TYPE.PIPELINE ? r.parent.name : providerTag(r.props);
    if (provider === undefined) continue;
    const g = group(provider);
    g.members.push(r);
    const role = roleOf(r);
    if (role !== ROLE.OTHER && g[role] === undefined) g[role] = r;
  }
  return [...groups.values()];
}
