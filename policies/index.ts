/**
 * The sluice policy pack, as `pulumi preview --policy-pack policies` runs it.
 * Only constructs the pack: the policies live in their own modules (pack.ts).
 */
import { PolicyPack } from "@pulumi/policy";
import { PACK_ENFORCEMENT_LEVEL, PACK_NAME, sluicePolicies } from "./pack";

new PolicyPack(PACK_NAME, { policies: sluicePolicies(), enforcementLevel: PACK_ENFORCEMENT_LEVEL });
