/**
 * Where a provider's pipeline lives: its stream, ledger table, ventilator and
 * event source mapping. Two sources, same answer:
 *  - the stack's outputs (`pulumi stack output --json`): `providers.<id>` holds
 *    stream, streamArn, table, mappingUuid, ventilator (the names index.ts
 *    exports; the component's own output names streamName, tableName,
 *    ventilatorName are read too);
 *  - the component's naming convention (components/naming.ts) for a stack name,
 *    which needs no Pulumi at all; the stream ARN and mapping UUID are then
 *    looked up (DescribeStreamSummary, ListEventSourceMappings).
 * Pure: reading the file and calling AWS happen elsewhere.
 */
import { z } from "zod";
import { pipelineNames } from "../components/naming";
import { CliInputError } from "./errors";

export interface PipelineResources {
  providerId: string;
  stream: string;
  /** Known from stack outputs; looked up by name otherwise. */
  streamArn?: string;
  table: string;
  ventilator: string;
  /** Known from stack outputs; found with ListEventSourceMappings otherwise. */
  mappingUuid?: string;
}

export type ResourceSource =
  | { kind: "naming"; stack: string }
  | { kind: "outputs"; label: string; providers: ReadonlyMap<string, PipelineResources> };

export function describeSource(source: ResourceSource): string {
  return source.kind === "naming" ? `stack "${source.stack}"` : `the stack outputs of ${source.label}`;
}

/** The resources of a provider, or null when the stack outputs do not list it (not deployed there). */
export function locate(source: ResourceSource, providerId: string): PipelineResources | null {
  if (source.kind === "naming") {
    const names = pipelineNames(source.stack, providerId);
    return { providerId, stream: names.stream, table: names.table, ventilator: names.ventilator };
  }
  return source.providers.get(providerId) ?? null;
}

const name = z.string().min(1);
const providerOutputs = z.looseObject({
  stream: name.optional(),
  streamName: name.optional(),
  streamArn: name.optional(),
  table: name.optional(),
  tableName: name.optional(),
  ventilator: name.optional(),
  ventilatorName: name.optional(),
  mappingUuid: name.optional(),
});
const stackOutputs = z.looseObject({ providers: z.record(z.string(), providerOutputs) });

/** Reads `pulumi stack output --json`; `label` names the file in messages. */
export function parseStackOutputs(text: string, label: string): ResourceSource {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new CliInputError([`${label}: not JSON (${(err as Error).message}); expected the output of \`pulumi stack output --json\``]);
  }
  const parsed = stackOutputs.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue && issue.path.length > 0 ? issue.path.join(".") : "(top level)";
    throw new CliInputError([`${label}: ${path}: ${issue?.message ?? "invalid"}; expected the output of \`pulumi stack output --json\` with a "providers" object`]);
  }
  const providers = new Map<string, PipelineResources>();
  const problems: string[] = [];
  for (const [providerId, o] of Object.entries(parsed.data.providers)) {
    const stream = o.stream ?? o.streamName;
    const table = o.table ?? o.tableName;
    const ventilator = o.ventilator ?? o.ventilatorName;
    const lacking = [!stream && "stream", !table && "table", !ventilator && "ventilator"].filter((x): x is string => typeof x === "string");
    if (lacking.length > 0 || !stream || !table || !ventilator) {
      problems.push(`${label}: providers.${providerId} lacks ${lacking.join(", ")}`);
      continue;
    }
    providers.set(providerId, {
      providerId,
      stream,
      table,
      ventilator,
      ...(o.streamArn ? { streamArn: o.streamArn } : {}),
      ...(o.mappingUuid ? { mappingUuid: o.mappingUuid } : {}),
    });
  }
  if (problems.length > 0) throw new CliInputError(problems);
  return { kind: "outputs", label, providers };
}
