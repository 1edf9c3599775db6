/**
 * sluice-maintenance-window — resource policy, mandatory.
 *
 * A deploy that creates, updates or enables a provider's pipeline while the
 * provider is inside one of its maintenance windows is refused. The instant is
 * the wall clock of the preview or update (injectable, see clock.ts).
 *
 * What counts as touching a pipeline: resource policies see a resource's new
 * inputs, not the diff against the stack's state, so every pipeline in the
 * program being deployed counts as touched, changed or not, and disabled
 * pipelines too. The price: while any provider is in maintenance, deploying
 * the stack is refused even if only another provider's entry changed — deploy
 * with the override, or wait (the message says until when).
 *
 * Where it runs: on every pipeline resource that carries the windows — the
 * stream, the mapping and the worker, which must (a missing or unreadable
 * contract is refused: fail closed), and any other that does. A preview
 * (which `pulumi up` runs first) refuses before anything changes. With
 * `pulumi up --skip-preview` the update stops at the first of those
 * registrations; pipeline resources registered before it without the windows
 * (log groups, roles, queue, schedule, dashboard: none of them calls the
 * provider) may already be updated.
 *
 * Emergency override: config `override: { providers: [...], reason }` turns
 * the refusal for those providers into an advisory that carries the reason.
 * A resource whose contract cannot be read is refused (fail closed).
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import * as z from "zod";
import { instantFor, isoInstant, type PolicyClock } from "./clock";
import { configSchemaOf, parseConfig } from "./config";
import { readContract } from "./contract";
import { TAG } from "../components/tags";
import { knownTags, UNKNOWN } from "./known";
import { CONTRACT_ROLES, inPipeline, roleOf, type ResourceLike } from "./pipeline";
import { reportAtLevel } from "./report";
import { describeMaintenance, localTime, maintenanceAt } from "./windows";

export const MAINTENANCE_WINDOW = "sluice-maintenance-window";
const DESCRIPTION = "No deploy touches a provider's pipeline while the provider is inside a maintenance window.";

export const maintenanceWindowSettings = z.strictObject({
  now: z.string().optional().describe("ISO 8601 instant with a zone to judge the deploy at, instead of the wall clock (tests, dry runs)."),
  override: z
    .strictObject({
      providers: z.array(z.string().min(1)).min(1).describe("Provider ids whose maintenance window this deploy may ignore."),
      reason: z.string().trim().min(1).describe("Why: the incident or change reference, shown with the advisory."),
    })
    .optional()
    .describe("Emergency override: the listed providers get an advisory instead of a refusal."),
});

/** The stream, mapping and worker of a pipeline, and any other pipeline resource tagged with the windows. */
export function carriesWindows(r: ResourceLike): boolean {
  if (!inPipeline(r)) return false;
  if (CONTRACT_ROLES.includes(roleOf(r))) return true;
  const tags = knownTags(r.props);
  return tags !== UNKNOWN && tags[TAG.MAINTENANCE_WINDOWS] !== undefined;
}

export function maintenanceWindowPolicy(clock: PolicyClock): ResourceValidationPolicy {
  return {
    name: MAINTENANCE_WINDOW,
    description: DESCRIPTION,
    enforcementLevel: "mandatory",
    configSchema: configSchemaOf(maintenanceWindowSettings),
    validateResource: (args, report) => {
      if (!carriesWindows(args)) args.notApplicable("not a pipeline resource that carries the provider's windows");
      const settings = parseConfig(MAINTENANCE_WINDOW, maintenanceWindowSettings, args.getConfig());
      const read = readContract(args.props);
      if (!read.ok) {
        report(`cannot tell whether this pipeline's provider is in a maintenance window: ${read.problem}`);
        return;
      }
      const { contract } = read;
      const now = instantFor(settings.now, clock);
      const hit = maintenanceAt(contract, now.at);
      if (!hit) return;
      const message =
        `provider "${contract.provider}" is inside its maintenance window ${describeMaintenance(hit.window)} (${contract.timezone}) ` +
        `at ${isoInstant(now.at)} (${localTime(contract.timezone, now.at)}; clock: ${now.source}); ` +
        `deploys touching its pipeline are refused until ${isoInstant(hit.endsAt)} (${localTime(contract.timezone, hit.endsAt)})`;
      const override = settings.override;
      if (override?.providers.includes(contract.provider)) {
        reportAtLevel(report, "advisory", DESCRIPTION, `${message}; OVERRIDDEN by policy config: ${override.reason}`);
      } else {
        report(`${message}. In an emergency: --policy-pack-config with {"${MAINTENANCE_WINDOW}": {"override": {"providers": ["${contract.provider}"], "reason": "..."}}}`);
      }
    },
  };
}
