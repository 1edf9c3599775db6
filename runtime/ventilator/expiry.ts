/**
 * Records the stream is about to drop. A pipeline held for long (an operator
 * or auth pause nobody lifted, a daily limit smaller than the backlog, a
 * breaker open through a long outage) leaves records in the stream until the
 * mapping's maximum record age (the stream's retention) drops them, with only
 * their sequence range sent to the on-failure queue: lost to the pipeline.
 * Instead, a record within EXPIRY_MARGIN_MS of that age that cannot be fetched
 * now is made dead, with its payload and the reason it waited, so an operator
 * can redrive it; and while a pipeline is held, the re-arm schedule enables
 * its mapping once per SWEEP_INTERVAL_MS so such records reach the ventilator.
 *
 *   expiring(record) ⇔ now ≥ arrivedAt + maximumRecordAge − EXPIRY_MARGIN_MS
 */
import type { Provider } from "../catalog/provider";
import { maximumRecordAgeSeconds } from "../catalog/timing";

/** How long before the stream drops a record the ventilator gives it up as dead. */
export const EXPIRY_MARGIN_MS = 2 * 3_600_000;
/** How often the schedule lets a held pipeline's mapping deliver, to give up records near their expiry. */
export const SWEEP_INTERVAL_MS = 3_600_000;

export function expiring(provider: Pick<Provider, "streamRetentionHours">, arrivedAt: number | undefined, now: number): boolean {
  return arrivedAt !== undefined && now >= arrivedAt + maximumRecordAgeSeconds(provider) * 1000 - EXPIRY_MARGIN_MS;
}

export function expiryReason(provider: Pick<Provider, "streamRetentionHours">, arrivedAt: number, why: string): string {
  return `not fetched before the stream's retention (${provider.streamRetentionHours} h) ends for a record that arrived ${new Date(arrivedAt).toISOString()}: ${why}; redrive it once that is over`;
}
