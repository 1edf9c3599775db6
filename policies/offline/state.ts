/**
 * A deployed stack's state (`pulumi stack export` JSON) laid over what the
 * program registers, the way the engine treats ignoreChanges: a property a
 * resource ignores keeps the value recorded in the state, and after
 * `pulumi refresh` (or `up --refresh`) that is the live value. So the policies
 * of `sluice policy-check --state` see what a second `pulumi up --refresh`
 * sends them: the batch size the controller chose, the enabled flag the
 * breaker left, not the catalog's. Resources the state does not hold are
 * created by the deploy and keep the program's values.
 *
 * `stackExport` writes registrations back out in the same format, for the
 * fixtures (test/policies/fixtures/refreshed-stack.ts).
 */
import * as z from "zod";
import { SluiceError } from "../../runtime/errors";
import type { WireResource } from "./wire-resource";

/** A state file that is not a `pulumi stack export` document. */
export class StackStateError extends SluiceError {}

const resourceSchema = z.looseObject({
  urn: z.string(),
  type: z.string(),
  inputs: z.record(z.string(), z.unknown()).optional(),
  outputs: z.record(z.string(), z.unknown()).optional(),
});
const exportSchema = z.looseObject({
  version: z.number().int(),
  deployment: z.looseObject({ resources: z.array(resourceSchema).nullish() }),
});
export type StackExport = z.output<typeof exportSchema>;
export type StateResource = z.output<typeof resourceSchema>;

/** Checks the export's shape; one line naming the file and the first problem. */
export function parseStackExport(raw: unknown, source: string): StackExport {
  const parsed = exportSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const where = issue.path.length > 0 ? issue.path.map(String).join(".") : "(document)";
  throw new StackStateError(`${source}: not a \`pulumi stack export\` document: ${where}: ${issue.message}`);
}

type Step = string | number;

/** `a.b[0].c` / `a["x.y"]` → steps; the property path syntax of ignoreChanges. */
export function propertyPath(path: string): Step[] {
  const steps: Step[] = [];
  const re = /([^.[\]]+)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]/g;
  for (const m of path.matchAll(re)) steps.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : JSON.parse(`"${m[3]}"`)));
  return steps;
}

function lookup(value: unknown, steps: readonly Step[]): { found: boolean; value?: unknown } {
  let here: unknown = value;
  for (const step of steps) {
    if (here === null || typeof here !== "object" || !(step in (here as object))) return { found: false };
    here = (here as Record<string | number, unknown>)[step];
  }
  return { found: true, value: here };
}

function assign(target: Record<string, unknown>, steps: readonly Step[], value: unknown): void {
  let here: Record<string | number, unknown> = target;
  for (const [i, step] of steps.entries()) {
    if (i === steps.length - 1) {
      here[step] = structuredClone(value);
      return;
    }
    const next = here[step];
    if (next === null || typeof next !== "object") here[step] = typeof steps[i + 1] === "number" ? [] : {};
    here = here[step] as Record<string | number, unknown>;
  }
}

export interface CarriedValue {
  urn: string;
  path: string;
  value: unknown;
}

export interface RefreshedRegistrations {
  registrations: WireResource[];
  /** Registrations the state holds (the rest are new). */
  matched: number;
  /** Every ignored property that took the state's value. */
  carried: CarriedValue[];
}

/**
 * Registrations with each ignored property set to the state's value: the
 * state's inputs for the resource policies, its outputs for the stack
 * policies (each falling back on the other, as refresh fills both).
 */
export function withStateValues(registrations: readonly WireResource[], state: StackExport): RefreshedRegistrations {
  const byUrn = new Map((state.deployment.resources ?? []).map((r) => [r.urn, r]));
  const carried: CarriedValue[] = [];
  let matched = 0;
  const out = registrations.map((r) => {
    const recorded = byUrn.get(r.urn);
    if (!recorded) return r;
    matched++;
    const next: WireResource = { ...r, inputs: structuredClone(r.inputs), outputs: structuredClone(r.outputs) };
    for (const path of r.options.ignoreChanges) {
      const steps = propertyPath(path);
      const input = lookup(recorded.inputs, steps);
      const output = lookup(recorded.outputs, steps);
      if (!input.found && !output.found) continue;
      const value = input.found ? input.value : output.value;
      assign(next.inputs, steps, value);
      assign(next.outputs, steps, output.found ? output.value : value);
      carried.push({ urn: r.urn, path, value });
    }
    return next;
  });
  return { registrations: out, matched, carried };
}

/** Registrations as `pulumi stack export` writes a deployment (version 3), with the stack's root resource. */
export function stackExport(registrations: readonly WireResource[], stack: { project: string; stack: string }): StackExport {
  const root = `urn:pulumi:${stack.stack}::${stack.project}::pulumi:pulumi:Stack::${stack.project}-${stack.stack}`;
  return {
    version: 3,
    deployment: {
      manifest: { time: "2026-01-05T09:00:00Z", magic: "", version: "v3.248.0" },
      resources: [
        { urn: root, custom: false, type: "pulumi:pulumi:Stack" },
        ...registrations.map((r) => ({
          urn: r.urn,
          custom: r.custom,
          ...(r.custom ? { id: `${r.name}-id` } : {}),
          type: r.type,
          inputs: r.inputs,
          outputs: r.outputs,
          parent: r.parent ?? root,
          ...(r.dependencies.length > 0 ? { dependencies: r.dependencies } : {}),
          ...(r.provider ? { provider: r.provider } : {}),
          ...(Object.keys(r.propertyDependencies).length > 0 ? { propertyDependencies: r.propertyDependencies } : {}),
        })),
      ],
    },
  };
}
