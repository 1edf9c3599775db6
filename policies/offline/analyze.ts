/**
 * Runs a pack's policies over recorded registrations with the rules of
 * @pulumi/policy's analyzer server (server.js), so an offline check reports
 * what `pulumi preview --policy-pack` would:
 *
 * - level = config enforcementLevel ‖ policy's level ‖ pack's level;
 *   "disabled" skips the policy, "remediate" reports as "mandatory";
 * - resource policies run on every registration's inputs, in registration
 *   order; stack policies then run once on all outputs;
 * - reportViolation("msg", urn) records the policy description and the
 *   message on two lines; the object form keeps its own level (report.ts);
 * - notApplicable() records the policy as not applicable; an unknown value
 *   becomes an advisory "can't run … during preview"; any other throw fails
 *   the run, as it fails the engine's.
 */
import type { EnforcementLevel, Policies, Policy, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { SluiceError } from "../../runtime/errors";
import { isUnknownValueError } from "../policy-internals";
import { NotApplicable, resourceValidationArgs, stackValidationArgs } from "./args";
import type { WireResource } from "./wire-resource";

export interface PackUnderTest {
  name: string;
  version: string;
  enforcementLevel: EnforcementLevel;
  policies: Policies;
}

export interface Diagnostic {
  policyName: string;
  policyPackName: string;
  policyPackVersion: string;
  description: string;
  message: string;
  enforcementLevel: EnforcementLevel;
  /** The resource at fault; absent for a stack-wide violation. */
  urn?: string;
}

export interface NotApplicableRecord {
  policyName: string;
  urn?: string;
  reason?: string;
}

export interface Analysis {
  diagnostics: Diagnostic[];
  notApplicable: NotApplicableRecord[];
}

/** A policy's config as the server keeps it after `configure`. */
export interface PolicyConfigEntry {
  enforcementLevel?: EnforcementLevel;
  properties: Record<string, unknown>;
}
export type NormalizedPackConfig = Record<string, PolicyConfigEntry>;

export const ENFORCEMENT_LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

export class PolicyPackConfigError extends SluiceError {
  constructor(readonly problems: readonly string[]) {
    super(problems.join("\n"));
  }
}

/** A policy threw something other than notApplicable or an unknown value. */
export class PolicyRunError extends SluiceError {}

/**
 * Reads `--policy-pack-config` JSON: per policy name, a level string or an
 * object with an optional enforcementLevel and the policy's settings.
 */
export function normalizePackConfig(pack: PackUnderTest, raw: unknown, source: string): NormalizedPackConfig {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw new PolicyPackConfigError([`${source}: expected a JSON object keyed by policy name`]);
  const names = pack.policies.map((p) => p.name);
  const problems: string[] = [];
  const config: NormalizedPackConfig = {};
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (!names.includes(name)) {
      problems.push(`${source}: "${name}" is not a policy of pack ${pack.name}; it has ${names.join(", ")}`);
      continue;
    }
    if (typeof value === "string") {
      if (!ENFORCEMENT_LEVELS.includes(value as EnforcementLevel)) problems.push(`${source}: ${name}: "${value}" is not one of ${ENFORCEMENT_LEVELS.join(", ")}`);
      else config[name] = { enforcementLevel: value as EnforcementLevel, properties: {} };
      continue;
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      problems.push(`${source}: ${name}: expected an enforcement level or an object`);
      continue;
    }
    const { enforcementLevel, ...properties } = value as Record<string, unknown>;
    if (enforcementLevel !== undefined && !ENFORCEMENT_LEVELS.includes(enforcementLevel as EnforcementLevel)) {
      problems.push(`${source}: ${name}.enforcementLevel: ${JSON.stringify(enforcementLevel)} is not one of ${ENFORCEMENT_LEVELS.join(", ")}`);
      continue;
    }
    config[name] = { ...(enforcementLevel !== undefined ? { enforcementLevel: enforcementLevel as EnforcementLevel } : {}), properties };
  }
  if (problems.length > 0) throw new PolicyPackConfigError(problems);
  return config;
}

function levelOf(policy: Policy, pack: PackUnderTest, config: NormalizedPackConfig): EnforcementLevel {
  const level = config[policy.name]?.enforcementLevel ?? policy.enforcementLevel ?? pack.enforcementLevel;
  return level === "remediate" ? "mandatory" : level;
}

const isResourcePolicy = (p: Policy): p is ResourceValidationPolicy => "validateResource" in p && p.validateResource !== undefined;
const isStackPolicy = (p: Policy): p is StackValidationPolicy => typeof (p as StackValidationPolicy).validateStack === "function";

type ViolationObject = { message?: string; description?: string; enforcementLevel?: EnforcementLevel; urn?: string; name?: string };

function reporter(pack: PackUnderTest, policy: Policy, level: EnforcementLevel, into: Diagnostic[], fixedUrn?: string) {
  return (message: string | ViolationObject, urn?: string): void => {
    const base = { policyPackName: pack.name, policyPackVersion: pack.version };
    if (typeof message === "object") {
      const target = fixedUrn ?? message.urn;
      into.push({
        ...base,
        policyName: message.name ?? policy.name,
        description: message.description ?? policy.description,
        message: message.message ?? message.description ?? policy.description,
        enforcementLevel: message.enforcementLevel ?? level,
        ...(target ? { urn: target } : {}),
      });
      return;
    }
    const target = fixedUrn ?? urn;
    into.push({
      ...base,
      policyName: policy.name,
      description: policy.description,
      message: message ? `${policy.description}\n${message}` : policy.description,
      enforcementLevel: level,
      ...(target ? { urn: target } : {}),
    });
  };
}

function policyFrom(pack: PackUnderTest, policy: Policy): string {
  return `policy '${policy.name}' from policy pack '${pack.name}@v${pack.version}'`;
}

async function guarded(
  pack: PackUnderTest,
  policy: Policy,
  urn: string | undefined,
  out: Analysis,
  run: () => Promise<void> | void,
  what: string,
): Promise<void> {
  try {
    await run();
  } catch (err) {
    if (err instanceof NotApplicable) {
      out.notApplicable.push({ policyName: policy.name, ...(urn ? { urn } : {}), ...(err.reason !== undefined ? { reason: err.reason } : {}) });
    } else if (isUnknownValueError(err)) {
      out.diagnostics.push({
        policyName: policy.name,
        policyPackName: pack.name,
        policyPackVersion: pack.version,
        description: policy.description,
        message: `can't run ${policyFrom(pack, policy)} during preview: ${err.message}`,
        enforcementLevel: "advisory",
        ...(urn ? { urn } : {}),
      });
    } else if (err instanceof SluiceError) {
      throw err;
    } else {
      throw new PolicyRunError(`Error validating ${what} with ${policyFrom(pack, policy)}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }
}

export interface AnalyzeOptions {
  config?: NormalizedPackConfig;
  stackTags?: ReadonlyMap<string, string>;
}

/** What the engine's analyzer calls would report for these registrations. */
export async function analyze(pack: PackUnderTest, registrations: readonly WireResource[], options: AnalyzeOptions = {}): Promise<Analysis> {
  const config = options.config ?? {};
  const stackTags = options.stackTags ?? new Map<string, string>();
  const resources = registrations.filter((r) => !r.type.startsWith("pulumi:providers:"));
  const out: Analysis = { diagnostics: [], notApplicable: [] };
  const ctx = (policy: Policy) => ({ stackTags, config: { ...(config[policy.name]?.properties ?? {}) }, all: registrations });

  for (const r of resources) {
    for (const policy of pack.policies) {
      const level = levelOf(policy, pack, config);
      if (level === "disabled" || !isResourcePolicy(policy)) continue;
      const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource!];
      for (const validate of validations) {
        await guarded(pack, policy, r.urn, out, () => validate(resourceValidationArgs(r, ctx(policy)), reporter(pack, policy, level, out.diagnostics, r.urn)), `resource ${r.urn}`);
      }
    }
  }
  for (const policy of pack.policies) {
    const level = levelOf(policy, pack, config);
    if (level === "disabled" || !isStackPolicy(policy)) continue;
    await guarded(pack, policy, undefined, out, () => policy.validateStack(stackValidationArgs(resources, ctx(policy)), reporter(pack, policy, level, out.diagnostics)), "the stack");
  }
  return out;
}
