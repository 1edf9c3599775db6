/**
 * A provider's contract as the policies read it: from the tags the component
 * writes on the pipeline's stream, mapping and worker (components/tags.ts),
 * never from providers.json. The resources carry what was deployed, so the
 * pack judges an existing stack (`pulumi policy analyze`) or a stack built from
 * another catalog by what it actually holds.
 */
import { ContractTagError, parseContractTags, type ProviderContract } from "../components/tags";
import { ClockError } from "../runtime/errors";
import { providerZone } from "../runtime/windows/zone";
import { knownTags, UNKNOWN } from "./known";

export type { ProviderContract } from "../components/tags";

export type ContractRead = { ok: true; contract: ProviderContract } | { ok: false; problem: string };

/** The contract on a resource's tags, with a time zone the window clock knows; or why it cannot be read. */
export function readContract(props: Record<string, any>): ContractRead {
  const tags = knownTags(props);
  if (tags === UNKNOWN) return { ok: false, problem: "its tags are not known yet" };
  let contract: ProviderContract;
  try {
    contract = parseContractTags(tags);
  } catch (err) {
    if (err instanceof ContractTagError) return { ok: false, problem: err.message };
    throw err;
  }
  try {
    providerZone(contract.timezone);
  } catch (err) {
    if (err instanceof ClockError) return { ok: false, problem: `tag sluice/timezone value ${JSON.stringify(contract.timezone)} is not a known IANA time zone` };
    throw err;
  }
  return { ok: true, contract };
}
