/**
 * sluice-concurrency-cap — stack policy, mandatory.
 *
 * A provider sees at most shards × parallelization factor batches at once (one
 * per shard, times the factor), and the ventilator lets each batch have at
 * most its fan-out limit of calls in flight, a limit its controller keeps
 * within maxFanOut. So per pipeline:
 *
 *   shards × factor × maxFanOut ≤ cap                 (calls in flight)
 *   worker reserved concurrency is set and ≤ cap       (the AWS-side ceiling)
 *   ventilator reserved concurrency = shards × factor + 1
 *                      (one invocation per batch in flight, one for the re-arm tick)
 *   the ventilator's asynchronous invocations (the tick) are not retried
 *
 *   cap = min(sluice/maxConcurrency on the stream, mapping and worker,
 *             maxConcurrency in the ventilator's SLUICE_PROVIDER,
 *             config caps[provider])
 *
 * Each number is read from the resource that enforces it: shards from the
 * stream, the factor from the mapping, maxFanOut from the ventilator's
 * SLUICE_PROVIDER (what its controller obeys), reserved concurrency from the
 * functions, the tick's retries from the ventilator's invoke config. While
 * SLUICE_PROVIDER is unknown (the preview of a new pipeline) the
 * sluice/maxFanOut tag stands in for it. Config only tightens: a configured
 * cap above the contract's changes nothing.
 *
 * The mapping's BatchSize is not judged: it is the mapping batch size, records
 * per invocation, which the controller sizes at run time (up to 10 000) and
 * which bounds no call. It is in the mapping's ignoreChanges, so after
 * `pulumi up --refresh` the engine hands the policy the live value.
 *
 * A stack policy because the rule spans five resources; Pulumi runs stack
 * policies at the end of a preview (which `pulumi up` runs first unless
 * --skip-preview) and after an update.
 */
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import * as z from "zod";
import { REARM_TICK_SLOTS } from "../components/sizing";
import { configSchemaOf, parseConfig } from "./config";
import { readContract } from "./contract";
import { knownNumber, UNKNOWN, type Known } from "./known";
import { groupPipelines, type PipelineGroup } from "./pipeline";
import { reportAtLevel } from "./report";
import { ventilatorEntry } from "./ventilator-entry";

export const CONCURRENCY_CAP = "sluice-concurrency-cap";
const DESCRIPTION = "The calls a provider's pipeline can have in flight stay within the provider's concurrency cap.";

/** AWS default of a Kinesis event source mapping. */
export const MAPPING_DEFAULTS = { parallelizationFactor: 1 } as const;
/** How often Lambda retries a failed asynchronous invocation when no invoke config says otherwise. */
const ASYNC_DEFAULT_RETRIES = 2;

export const concurrencyCapSettings = z.strictObject({
  caps: z
    .record(z.string().regex(/^[a-z][a-z0-9-]*$/, { message: "expected a provider id" }), z.number().int().min(1))
    .optional()
    .describe("Per provider id, a cap below the provider's contractual maxConcurrency (compliance tightening; higher values are ignored)."),
});
export type ConcurrencyCapSettings = z.output<typeof concurrencyCapSettings>;

export interface Finding {
  message: string;
  urn?: string;
  /** Set when the finding is weaker than the policy's level (a value not known during a preview). */
  level?: "advisory";
}

interface Cap {
  value: number;
  /** e.g. "the cap 6 (policy config caps, tighter than the contract's 8)". */
  text: string;
}

function capOf(group: PipelineGroup<PolicyResource>, configured: number | undefined, ventilatorCap: number | undefined): Cap | { problem: string } {
  const reads = [group.stream, group.mapping, group.worker].filter((r): r is PolicyResource => r !== undefined).map((r) => readContract(r.props));
  const contracts = reads.flatMap((r) => (r.ok ? [r.contract] : []));
  if (contracts.length === 0) {
    const problem = reads.map((r) => (r.ok ? "" : r.problem)).find((p) => p !== "") ?? "the pipeline has no stream, mapping or worker";
    return { problem };
  }
  const contract = Math.min(...contracts.map((c) => c.maxConcurrency), ventilatorCap ?? Number.POSITIVE_INFINITY);
  if (configured !== undefined && configured < contract) {
    return { value: configured, text: `the cap ${configured} (policy config caps, tighter than the contract's ${contract})` };
  }
  return { value: contract, text: `the provider's cap ${contract} (maxConcurrency)` };
}

function reserved(r: PolicyResource): Known<number | undefined> {
  const value = knownNumber(r.props, "reservedConcurrentExecutions");
  // AWS reports an unreserved function as -1.
  return value === UNKNOWN || value === undefined || value >= 0 ? value : undefined;
}

/** Every breach of the rule by one pipeline. */
export function checkPipelineConcurrency(group: PipelineGroup<PolicyResource>, settings: ConcurrencyCapSettings): Finding[] {
  const id = group.provider;
  const anchor = (group.component ?? group.stream ?? group.mapping ?? group.worker ?? group.members[0])?.urn;
  const at = (urn: string | undefined) => (urn ? { urn } : {});
  if (!group.stream && !group.mapping && !group.worker) return [];

  const entry = group.ventilator ? ventilatorEntry(group.ventilator.props) : ({ kind: "absent" } as const);
  const findings: Finding[] = [];
  if (entry.kind === "invalid") {
    findings.push({ message: `provider "${id}": the ventilator's SLUICE_PROVIDER is not a valid catalog entry, so its maxFanOut is unknown: ${entry.problem}`, ...at(group.ventilator?.urn) });
  }
  const cap = capOf(group, settings.caps?.[id], entry.kind === "ok" ? entry.provider.maxConcurrency : undefined);
  if ("problem" in cap) {
    return [...findings, { message: `provider "${id}": cannot tell its concurrency cap: ${cap.problem}`, ...at(anchor) }];
  }

  if (!group.stream) findings.push({ message: `provider "${id}" has no Kinesis stream: the batches in flight are not bounded`, ...at(anchor) });
  if (!group.mapping) findings.push({ message: `provider "${id}" has no event source mapping: the batches in flight are not bounded`, ...at(anchor) });
  const shards = group.stream ? knownNumber(group.stream.props, "shardCount") : undefined;
  const factor = group.mapping ? knownNumber(group.mapping.props, "parallelizationFactor") : undefined;

  if (group.stream && shards === undefined) {
    findings.push({ message: `provider "${id}": its stream sets no shardCount (on-demand), so the batches in flight are not bounded`, urn: group.stream.urn });
  }
  if (shards === UNKNOWN || factor === UNKNOWN) {
    findings.push({ message: `provider "${id}": the stream's shards or the mapping's parallelization factor are not known yet; the cap is checked at the update`, level: "advisory", ...at(anchor) });
  } else if (group.stream && group.mapping && shards !== undefined) {
    const pf = factor ?? MAPPING_DEFAULTS.parallelizationFactor;
    const batches = shards * pf;
    const fanOut = maxFanOutOf(group, entry);
    if (fanOut && batches * fanOut.size > cap.value) {
      findings.push({
        message: `provider "${id}": shards ${shards} × parallelization factor ${pf} × ${fanOut.what} ${fanOut.size} = ${batches * fanOut.size} calls in flight, above ${cap.text}`,
        urn: fanOut.urn,
      });
    }
    if (group.ventilator) findings.push(...ventilatorBudget(group, group.ventilator, { shards, pf, batches }));
  }

  if (!group.worker) {
    findings.push({ message: `provider "${id}" has no worker function to carry the AWS-side ceiling`, ...at(anchor) });
  } else {
    const w = reserved(group.worker);
    if (w === undefined) {
      findings.push({ message: `provider "${id}": the worker has no reserved concurrency, so nothing on the AWS side holds it to ${cap.text}`, urn: group.worker.urn });
    } else if (w !== UNKNOWN && w > cap.value) {
      findings.push({ message: `provider "${id}": the worker's reserved concurrency ${w} is above ${cap.text}`, urn: group.worker.urn });
    }
  }
  return findings;
}

/** The ceiling of the fan-out limit, from the ventilator's own catalog entry, else from the contract tags. */
function maxFanOutOf(group: PipelineGroup<PolicyResource>, entry: ReturnType<typeof ventilatorEntry> | { kind: "absent" }): { size: number; what: string; urn: string } | undefined {
  if (entry.kind === "ok") return { size: entry.provider.maxFanOut, what: "the ventilator's maxFanOut (SLUICE_PROVIDER)", urn: group.ventilator!.urn };
  const tagged = [group.stream, group.mapping, group.worker]
    .flatMap((r) => (r ? [readContract(r.props)] : []))
    .flatMap((c) => (c.ok ? [c.contract.maxFanOut] : []));
  return tagged.length > 0 ? { size: Math.max(...tagged), what: "maxFanOut (sluice/maxFanOut tag)", urn: (group.mapping ?? group.stream)!.urn } : undefined;
}

/** One ventilator slot per batch in flight and one for the re-arm tick, whose failures are not retried into them. */
function ventilatorBudget(group: PipelineGroup<PolicyResource>, ventilator: PolicyResource, b: { shards: number; pf: number; batches: number }): Finding[] {
  const id = group.provider;
  const needed = b.batches + REARM_TICK_SLOTS;
  const formula = `shards ${b.shards} × parallelization factor ${b.pf} + ${REARM_TICK_SLOTS} for the re-arm tick = ${needed}`;
  const findings: Finding[] = [];
  const v = reserved(ventilator);
  if (v === undefined) {
    findings.push({ message: `provider "${id}": the ventilator has no reserved concurrency; it needs one invocation per batch in flight and one for the re-arm tick, ${formula}`, urn: ventilator.urn });
  } else if (v !== UNKNOWN && v < needed) {
    findings.push({ message: `provider "${id}": the ventilator's reserved concurrency ${v} is below ${formula}: a re-arm tick can throttle a batch`, urn: ventilator.urn });
  } else if (v !== UNKNOWN && v > needed) {
    findings.push({ message: `provider "${id}": the ventilator's reserved concurrency ${v} is above ${formula}`, urn: ventilator.urn });
  }
  const retries = group.tickConfig ? knownNumber(group.tickConfig.props, "maximumRetryAttempts") : undefined;
  if (retries !== UNKNOWN && retries !== 0) {
    findings.push({
      message: `provider "${id}": the ventilator's asynchronous invocations (the re-arm tick) are retried ${retries ?? ASYNC_DEFAULT_RETRIES} times${group.tickConfig ? "" : " (no FunctionEventInvokeConfig)"}: a retried tick takes a second slot; set maximumRetryAttempts 0, the next tick comes anyway`,
      urn: (group.tickConfig ?? ventilator).urn,
    });
  }
  return findings;
}

export function concurrencyCapPolicy(): StackValidationPolicy {
  return {
    name: CONCURRENCY_CAP,
    description: DESCRIPTION,
    enforcementLevel: "mandatory",
    configSchema: configSchemaOf(concurrencyCapSettings),
    validateStack: (args, report) => {
      const settings = parseConfig(CONCURRENCY_CAP, concurrencyCapSettings, args.getConfig());
      for (const group of groupPipelines(args.resources)) {
        for (const f of checkPipelineConcurrency(group, settings)) {
          if (f.level === "advisory") reportAtLevel(report, "advisory", DESCRIPTION, f.message, f.urn);
          else report(f.message, f.urn);
        }
      }
    },
  };
}
