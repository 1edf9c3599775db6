/**
 * What every child builder of a provider pipeline shares: the component's name
 * (children are named from it), its arguments, the provider's resource names
 * and tags, and the options that parent each child to the component.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { Provider } from "../../runtime/catalog/provider";
import { pipelineNames, type PipelineNames } from "../naming";
import { accountLimitTags, contractTags, providerTags } from "../tags";
import type { ProviderPipelineArgs } from "./args";

export interface PipelineContext {
  /** The component's name; every child's is `${name}-<part>`. */
  name: string;
  args: ProviderPipelineArgs;
  provider: Provider;
  names: PipelineNames;
  /** Every resource's tags. */
  tags: Record<string, string>;
  /** The provider's contract as tags (stream, mapping, worker), read by the policy pack. */
  contract: Record<string, string>;
  /** The account limit the stack budgets against, on the functions. */
  budgeted: Record<string, string>;
  child: pulumi.CustomResourceOptions;
  /** Left in the account when the pipeline is removed: the ledger and the dead batches. */
  kept: pulumi.CustomResourceOptions;
}

export function pipelineContext(name: string, args: ProviderPipelineArgs, parent: pulumi.Resource): PipelineContext {
  const { provider } = args;
  return {
    name,
    args,
    provider,
    names: pipelineNames(args.stack, provider.id),
    tags: providerTags(provider),
    contract: contractTags(provider),
    budgeted: accountLimitTags(args.accountConcurrencyLimit),
    child: { parent },
    kept: { parent, retainOnDelete: true },
  };
}
