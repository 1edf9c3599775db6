/**
 * sluice-log-retention — resource policy, advisory.
 * CloudWatch log groups set a retention (the stack's sluice:logRetentionDays);
 * 0 or unset means never expire, which costs more every day and keeps record
 * ids longer than anyone asked.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { knownNumber, UNKNOWN } from "./known";
import { TYPE } from "./resource-types";

export const LOG_RETENTION = "sluice-log-retention";

export function logRetentionPolicy(): ResourceValidationPolicy {
  return {
    name: LOG_RETENTION,
    description: "CloudWatch log groups set a retention.",
    enforcementLevel: "advisory",
    validateResource: (args, report) => {
      if (args.type !== TYPE.LOG_GROUP) args.notApplicable("not a CloudWatch log group");
      const days = knownNumber(args.props, "retentionInDays");
      if (days === UNKNOWN) return;
      if (days === undefined || days <= 0) report("retentionInDays is not set: the logs are kept forever");
    },
  };
}
