/**
 * sluice-stream-retention — resource policy, mandatory.
 *
 * Records queued when a provider closes (outside its access windows or in
 * maintenance) wait until it opens, so both places that drop old records must
 * outlast the longest closed stretch:
 *
 *   stream retentionPeriod (hours) × 60            ≥ longest closed minutes
 *   mapping maximumRecordAgeInSeconds / 60 (or -1) ≥ longest closed minutes
 *
 * The closed stretch is measured on real instants over the next 53 weeks,
 * across the nights the clocks change (runtime/windows/closed, the catalog's
 * validation asks the same function). A compliance
 * team can demand a safety margin on top (`marginHours`, default 0), e.g. to
 * survive a closed weekend plus a day of incident response:
 *
 *   retention × 60 ≥ longest closed minutes + marginHours × 60
 */
import * as z from "zod";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configSchemaOf, parseConfig } from "./config";
import { longestClosedMinutes } from "../runtime/windows/weekly";
import type { PolicyClock } from "./clock";
import { readContract, type ProviderContract } from "./contract";
import { knownNumber, UNKNOWN } from "./known";
import { inPipeline, ROLE, roleOf } from "./pipeline";
import { reportAtLevel } from "./report";
import { closedLongerThan, longestClosedStretch, type ClosedStretch } from "../runtime/windows/closed";
import { localTime } from "./windows";

export const STREAM_RETENTION = "sluice-stream-retention";
const DESCRIPTION = "Queued records outlive the provider's longest closed period, in the stream and in the mapping.";

/** Kinesis keeps records 24 h unless told otherwise. */
export const KINESIS_DEFAULT_RETENTION_HOURS = 24;

export const streamRetentionSettings = z.strictObject({
  marginHours: z.number().min(0).max(8_760).default(0).describe("Hours records must outlive the longest closed period by."),
});

function hours(minutes: number): string {
  return `${Number.isInteger(minutes / 60) ? minutes / 60 : (minutes / 60).toFixed(1)} h`;
}

function describeStretch(contract: ProviderContract, stretch: ClosedStretch): string {
  if (!Number.isFinite(stretch.minutes)) return `provider "${contract.provider}" never opens`;
  const wall = longestClosedMinutes(contract.accessWindows, contract.maintenanceWindows);
  const dst = stretch.minutes > wall ? `; the wall clock shows ${hours(wall)}, the clocks change in between` : "";
  return (
    `provider "${contract.provider}"'s longest closed period, ${hours(stretch.minutes)} ` +
    `(${localTime(contract.timezone, stretch.start)} to ${localTime(contract.timezone, stretch.end)}${dst})`
  );
}

export function streamRetentionPolicy(clock: PolicyClock): ResourceValidationPolicy {
  return {
    name: STREAM_RETENTION,
    description: DESCRIPTION,
    enforcementLevel: "mandatory",
    configSchema: configSchemaOf(streamRetentionSettings),
    validateResource: (args, report) => {
      const role = roleOf(args);
      if (!inPipeline(args) || (role !== ROLE.STREAM && role !== ROLE.MAPPING)) args.notApplicable("not a stream or mapping of a provider pipeline");
      const { marginHours } = parseConfig(STREAM_RETENTION, streamRetentionSettings, args.getConfig());
      const margin = marginHours > 0 ? ` plus the required margin of ${marginHours} h` : "";
      const read = readContract(args.props);
      if (!read.ok) {
        report(`cannot tell how long the pipeline's provider stays closed: ${read.problem}`);
        return;
      }
      const at = clock().at;
      const unknown = (what: string) => {
        if (longestClosedStretch(read.contract, at) === null) return;
        reportAtLevel(report, "advisory", DESCRIPTION, `${what} is not known yet; it is checked at the update`);
      };
      if (role === ROLE.STREAM) {
        const retention = knownNumber(args.props, "retentionPeriod");
        if (retention === UNKNOWN) return unknown("the stream's retentionPeriod");
        const retentionHours = retention ?? KINESIS_DEFAULT_RETENTION_HOURS;
        const stretch = closedLongerThan(read.contract, retentionHours * 60 - marginHours * 60, at);
        if (stretch) {
          report(`stream retention ${retentionHours} h is shorter than ${describeStretch(read.contract, stretch)}${margin}: records queued when it closes would expire before it opens`);
        }
      } else {
        const age = knownNumber(args.props, "maximumRecordAgeInSeconds");
        if (age === UNKNOWN) return unknown("the mapping's maximumRecordAgeInSeconds");
        // -1 (or unset): the mapping keeps retrying until the stream drops the record.
        if (age === undefined || age === -1) return;
        const stretch = closedLongerThan(read.contract, age / 60 - marginHours * 60, at);
        if (stretch) {
          report(`mapping maximumRecordAgeInSeconds ${age} (${hours(age / 60)}) is shorter than ${describeStretch(read.contract, stretch)}${margin}: the mapping would discard records queued when it closes`);
        }
      }
    },
  };
}
