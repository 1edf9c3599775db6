/**
 * sluice: one self-healing ingestion pipeline per provider in the catalog.
 * `pulumi up --refresh` deploys every provider of `sluice:catalog`
 * (providers.json); see docs/infrastructure.md.
 */
import { sluiceStack } from "./components/program";

const stack = sluiceStack();

/** Per provider: stream, table, mapping UUID, functions, dead-letter queue, dashboard. */
export const providers = stack.providers;
/** The landing bucket of http workers that name none (absent when no provider needs it). */
export const landingBucket = stack.landingBucket;
