/**
 * The sluice policy pack's policies, in the order they are reported. index.ts
 * serves them to the Pulumi CLI; `sluice policy-check` and the tests evaluate
 * them in-process (constructing a PolicyPack starts a gRPC server, so nothing
 * but index.ts does). The clock is the only thing injected.
 */
import type { EnforcementLevel, Policies } from "@pulumi/policy";
import { defaultPolicyClock, type PolicyClock } from "./clock";
import { accountConcurrencyPolicy } from "./account-concurrency";
import { concurrencyCapPolicy } from "./concurrency-cap";
import { contractDeclaredPolicy } from "./contract-declared";
import { iamNoWildcardActionsPolicy } from "./hygiene-iam-actions";
import { logRetentionPolicy } from "./hygiene-log-retention";
import { streamEncryptedPolicy } from "./hygiene-stream-encryption";
import { tableProtectedPolicy } from "./hygiene-table-protection";
import { maintenanceWindowPolicy } from "./maintenance-window";
import { streamRetentionPolicy } from "./stream-retention";

export const PACK_NAME = "sluice";
/** Level of a policy that names none (every sluice policy names one). */
export const PACK_ENFORCEMENT_LEVEL: EnforcementLevel = "advisory";

export interface PackOptions {
  /** @default SLUICE_POLICY_NOW, else the wall clock */
  clock?: PolicyClock;
}

export function sluicePolicies(options: PackOptions = {}): Policies {
  const clock = options.clock ?? defaultPolicyClock();
  return [
    concurrencyCapPolicy(),
    accountConcurrencyPolicy(),
    maintenanceWindowPolicy(clock),
    streamRetentionPolicy(clock),
    contractDeclaredPolicy(),
    streamEncryptedPolicy(),
    tableProtectedPolicy(),
    logRetentionPolicy(),
    iamNoWildcardActionsPolicy(),
  ];
}
