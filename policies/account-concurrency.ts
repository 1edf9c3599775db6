/**
 * sluice-account-concurrency — stack policy, mandatory.
 *
 * Every function's reserved concurrency comes out of one account limit, and
 * AWS refuses a reservation that leaves fewer than 100 executions unreserved:
 * with 50+ providers a deploy can pass every pipeline's own cap and still
 * fail halfway. So over the whole stack (components/account-budget.ts):
 *
 *   Σ reservedConcurrentExecutions of its Lambda functions ≤ limit − 100
 *
 *   limit = min(sluice/accountConcurrencyLimit on the functions (the stack's
 *               sluice:accountConcurrencyLimit), config accountConcurrencyLimit),
 *           1000 (Lambda's default) when neither says
 *
 * One violation for the stack, naming the sum and the largest providers (a
 * function outside any pipeline counts under its own name). Config only
 * tightens, for an account whose other stacks reserve part of the limit.
 */
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import * as z from "zod";
import { accountBudget, budgetProblem, DEFAULT_ACCOUNT_CONCURRENCY_LIMIT, type Consumer } from "../components/account-budget";
import { TAG } from "../components/tags";
import { configSchemaOf, parseConfig } from "./config";
import { knownNumber, knownTags, UNKNOWN } from "./known";
import { groupPipelines } from "./pipeline";
import { TYPE } from "./resource-types";

export const ACCOUNT_CONCURRENCY = "sluice-account-concurrency";
const DESCRIPTION = "The stack's reserved Lambda concurrency leaves the 100 executions AWS keeps unreserved in the account.";

export const accountConcurrencySettings = z.strictObject({
  accountConcurrencyLimit: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe("The account's Lambda concurrency limit available to this stack (aws lambda get-account-settings); tightens the stack's sluice:accountConcurrencyLimit."),
});
export type AccountConcurrencySettings = z.output<typeof accountConcurrencySettings>;

/** The limit and where it came from, e.g. "sluice:accountConcurrencyLimit 1000". */
export function accountLimit(functions: readonly PolicyResource[], settings: AccountConcurrencySettings): { value: number; source: string } {
  const tagged = functions.flatMap((f) => {
    const tags = knownTags(f.props);
    const value = tags === UNKNOWN ? undefined : Number(tags[TAG.ACCOUNT_CONCURRENCY_LIMIT]);
    return value !== undefined && Number.isInteger(value) && value > 0 ? [value] : [];
  });
  const stack = tagged.length > 0 ? Math.min(...tagged) : undefined;
  const configured = settings.accountConcurrencyLimit;
  if (configured !== undefined && (stack === undefined || configured < stack)) return { value: configured, source: `policy config accountConcurrencyLimit ${configured}` };
  if (stack !== undefined) return { value: stack, source: `sluice:accountConcurrencyLimit ${stack}` };
  return { value: DEFAULT_ACCOUNT_CONCURRENCY_LIMIT, source: `Lambda's default account limit ${DEFAULT_ACCOUNT_CONCURRENCY_LIMIT}` };
}

/** What each provider (or stray function) of the stack reserves. */
export function stackConsumers(resources: readonly PolicyResource[]): Consumer[] {
  const owner = new Map<string, string>();
  for (const g of groupPipelines(resources)) for (const m of g.members) owner.set(m.urn, g.provider);
  const sums = new Map<string, number>();
  for (const f of resources.filter((r) => r.type === TYPE.FUNCTION)) {
    const reserved = knownNumber(f.props, "reservedConcurrentExecutions");
    // Unset or -1 (AWS's "unreserved") take nothing; an unknown value is checked at the update.
    if (reserved === UNKNOWN || reserved === undefined || reserved <= 0) continue;
    const name = owner.get(f.urn) ?? f.name;
    sums.set(name, (sums.get(name) ?? 0) + reserved);
  }
  return [...sums].map(([name, reserved]) => ({ name, reserved }));
}

export function accountConcurrencyPolicy(): StackValidationPolicy {
  return {
    name: ACCOUNT_CONCURRENCY,
    description: DESCRIPTION,
    enforcementLevel: "mandatory",
    configSchema: configSchemaOf(accountConcurrencySettings),
    validateStack: (args, report) => {
      const settings = parseConfig(ACCOUNT_CONCURRENCY, accountConcurrencySettings, args.getConfig());
      const limit = accountLimit(
        args.resources.filter((r) => r.type === TYPE.FUNCTION),
        settings,
      );
      const problem = budgetProblem(accountBudget(stackConsumers(args.resources), limit.value), limit.source);
      if (problem) report(problem);
    },
  };
}
