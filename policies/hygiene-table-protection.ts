/**
 * sluice-table-protected — resource policy, advisory.
 * DynamoDB tables (the ledgers) have server-side encryption with a KMS key
 * switched on, TTL on (old provider-days expire instead of growing the table
 * forever), point-in-time recovery (a bad deploy or script that rewrites
 * the ledger can be rolled back; the ledger is what stops a second fetch) and
 * deletion protection (the component also retains the table when its provider
 * leaves the catalog; retainOnDelete is not visible to policies).
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { known } from "./known";
import { TYPE } from "./resource-types";

export const TABLE_PROTECTED = "sluice-table-protected";

export function tableProtectedPolicy(): ResourceValidationPolicy {
  return {
    name: TABLE_PROTECTED,
    description: "DynamoDB tables have KMS server-side encryption, TTL, point-in-time recovery and deletion protection on.",
    enforcementLevel: "advisory",
    validateResource: (args, report) => {
      if (args.type !== TYPE.TABLE) args.notApplicable("not a DynamoDB table");
      const p = args.props;
      const sse = known(() => p.serverSideEncryption?.enabled === true);
      const ttl = known(() => p.ttl?.enabled === true && typeof p.ttl?.attributeName === "string" && p.ttl.attributeName !== "");
      const pitr = known(() => p.pointInTimeRecovery?.enabled === true);
      const protectedFromDelete = known(() => p.deletionProtectionEnabled === true);
      // An unknown value (a preview) is left to the update.
      if (sse === false) report("serverSideEncryption is not enabled (only the AWS-owned key, which the account cannot audit)");
      if (ttl === false) report("ttl is not enabled with an attributeName: expired ledger items are never removed");
      if (pitr === false) report("pointInTimeRecovery is not enabled: a damaged ledger cannot be restored");
      if (protectedFromDelete === false) report("deletionProtectionEnabled is not true: removing the provider, or one mistaken delete, destroys its ledger");
    },
  };
}
