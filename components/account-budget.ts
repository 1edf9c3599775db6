/**
 * The account's Lambda concurrency, shared by every provider of a stack.
 * Reserved concurrency is taken from the account's limit, and AWS refuses a
 * reservation that would leave fewer than 100 executions unreserved (new
 * accounts may have a limit of 10, so nothing can be reserved there at all):
 *
 *   reservable = accountConcurrencyLimit − 100
 *   reserved(provider) = worker (maxConcurrency) + ventilator (shards × factor + 1)
 *   Σ reserved over the stack's providers ≤ reservable
 *
 * `sluice validate --stack` sums the catalog, the sluice-account-concurrency
 * policy sums the functions a deploy registers; both report with budgetProblem.
 */
import type { Provider } from "../runtime/catalog/provider";
import { ventilatorReservedConcurrency, workerReservedConcurrency } from "./sizing";

/** Lambda's default concurrency limit per account and Region (sluice:accountConcurrencyLimit's default). */
export const DEFAULT_ACCOUNT_CONCURRENCY_LIMIT = 1_000;
/** Executions AWS keeps unreserved in every account and Region. */
export const AWS_UNRESERVED_MINIMUM = 100;
/** Providers named in a budget problem, largest first. */
const NAMED_CONSUMERS = 5;

export interface Consumer {
  /** A provider id, or a function's name when it belongs to no provider. */
  name: string;
  reserved: number;
}

export interface Budget {
  limit: number;
  /** limit − 100, never below 0. */
  reservable: number;
  reserved: number;
  /** Largest first, ties by name. */
  consumers: Consumer[];
}

/** What one provider's pipeline reserves: its worker's cap and its ventilator's batches and tick. */
export function providerReservation(provider: Pick<Provider, "maxConcurrency" | "concurrentBatches">): number {
  return workerReservedConcurrency(provider) + ventilatorReservedConcurrency(provider);
}

export function accountBudget(consumers: readonly Consumer[], limit: number): Budget {
  const sorted = consumers.filter((c) => c.reserved > 0).sort((a, b) => b.reserved - a.reserved || a.name.localeCompare(b.name));
  return {
    limit,
    reservable: Math.max(0, limit - AWS_UNRESERVED_MINIMUM),
    reserved: sorted.reduce((sum, c) => sum + c.reserved, 0),
    consumers: sorted,
  };
}

export function catalogBudget(providers: readonly Provider[], limit: number): Budget {
  return accountBudget(
    providers.map((p) => ({ name: p.id, reserved: providerReservation(p) })),
    limit,
  );
}

const count = (n: number) => n.toLocaleString("en-US");

/**
 * One line when the stack reserves more than the account can, naming the sum
 * and the largest consumers; undefined when it fits. `limitSource` says where
 * the limit came from, e.g. "sluice:accountConcurrencyLimit 1000".
 */
export function budgetProblem(budget: Budget, limitSource: string): string | undefined {
  if (budget.reserved <= budget.reservable) return undefined;
  const n = budget.consumers.length;
  const top = budget.consumers.slice(0, NAMED_CONSUMERS).map((c) => `${c.name} ${count(c.reserved)}`);
  return (
    `reserved concurrency ${count(budget.reserved)} across ${n} ${n === 1 ? "provider" : "providers"} exceeds the ${count(budget.reservable)} the account can reserve ` +
    `(${limitSource} − ${AWS_UNRESERVED_MINIMUM} AWS keeps unreserved); largest: ${top.join(", ")}${n > NAMED_CONSUMERS ? ` and ${n - NAMED_CONSUMERS} more` : ""}`
  );
}

/** "reserved concurrency 25 of the 900 the account can reserve (…)", for a budget that fits. */
export function budgetSummary(budget: Budget, limitSource: string): string {
  return `reserved concurrency ${count(budget.reserved)} of the ${count(budget.reservable)} the account can reserve (${limitSource} − ${AWS_UNRESERVED_MINIMUM} unreserved)`;
}
