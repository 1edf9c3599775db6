/**
 * sluice-contract-declared — resource policy, mandatory.
 *
 * Every pipeline declares its contract where the other policies read it: the
 * stream, the mapping and the worker carry parseable contract tags
 * (components/tags.ts) — the provider, its cap and fan-out, an IANA time zone
 * the window clock knows, its access windows ("always" when none) and its
 * maintenance windows ("none" when none) — and the provider tag names the
 * ProviderPipeline the resource belongs to. Without it the cap, the
 * maintenance windows and the retention could not be checked, so this fails
 * closed rather than letting those policies pass on nothing.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { readContract } from "./contract";
import { CONTRACT_ROLES, inPipeline, parseUrn, roleOf } from "./pipeline";
import { TYPE } from "./resource-types";

export const CONTRACT_DECLARED = "sluice-contract-declared";
const DESCRIPTION = "Every provider pipeline declares its contract (cap, time zone, access and maintenance windows) in its tags.";

export function contractDeclaredPolicy(): ResourceValidationPolicy {
  return {
    name: CONTRACT_DECLARED,
    description: DESCRIPTION,
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
      const role = roleOf(args);
      if (!inPipeline(args) || !CONTRACT_ROLES.includes(role)) args.notApplicable("not a stream, mapping or worker of a provider pipeline");
      const read = readContract(args.props);
      if (!read.ok) {
        report(`the pipeline's ${role} does not declare the provider's contract: ${read.problem}`);
        return;
      }
      const parent = args.opts.parent;
      if (parent !== undefined && parent !== "") {
        const owner = parseUrn(parent);
        if (owner.typeChain.at(-1) === TYPE.PIPELINE && owner.name !== read.contract.provider) {
          report(`the ${role} of pipeline "${owner.name}" declares the contract of provider "${read.contract.provider}"`);
        }
      }
    },
  };
}
