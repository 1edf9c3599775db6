/**
 * Policy results in the layout the Pulumi CLI prints after a preview:
 *
 *   Policies:
 *       ❌ sluice@v0.1.0 (local: policies)
 *           - [mandatory]  sluice-concurrency-cap  (aws:lambda/function:Function: meridian-funds-worker)
 *             The calls a provider's pipeline can have in flight stay within the provider's concurrency cap.
 *             provider "meridian-funds": the worker's reserved concurrency 8 is above the cap 6 (…)
 *
 * A violation without a URN is the stack's: (pulumi:pulumi:Stack: <project>-<stack>).
 */
import { parseUrn } from "../pipeline";
import { TYPE } from "../resource-types";
import type { Diagnostic } from "./analyze";

export interface ReportContext {
  project: string;
  stack: string;
  /** Where the pack was loaded from, e.g. "policies". */
  packPath: string;
}

function subject(d: Diagnostic, ctx: ReportContext): string {
  if (!d.urn) return `${TYPE.STACK}: ${ctx.project}-${ctx.stack}`;
  const { typeChain, name } = parseUrn(d.urn);
  return `${typeChain.at(-1)}: ${name}`;
}

export function countByLevel(diagnostics: readonly Diagnostic[]): { mandatory: number; advisory: number } {
  return {
    mandatory: diagnostics.filter((d) => d.enforcementLevel === "mandatory").length,
    advisory: diagnostics.filter((d) => d.enforcementLevel === "advisory").length,
  };
}

export function formatPolicyReport(packName: string, packVersion: string, diagnostics: readonly Diagnostic[], ctx: ReportContext): string {
  const { mandatory, advisory } = countByLevel(diagnostics);
  const icon = mandatory > 0 ? "❌" : advisory > 0 ? "⚠️" : "✅";
  const lines = ["Policies:", `    ${icon} ${packName}@v${packVersion} (local: ${ctx.packPath})`];
  for (const d of diagnostics) {
    lines.push(`        - [${d.enforcementLevel}]  ${d.policyName}  (${subject(d, ctx)})`);
    for (const line of d.message.split("\n")) lines.push(`          ${line}`);
  }
  return lines.join("\n") + "\n";
}
