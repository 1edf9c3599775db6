/**
 * A scenario from a catalog entry, so an operator can see how a provider
 * will behave before deploying it: `sluice simulate --provider ID`.
 *
 *   provider   the entry as the catalog resolved it (windows, maintenance, daily limit, cap, lanes)
 *   behaviour  the healthy profile local mode runs it with (local/mode/chaos-profile: a chaos entry's own
 *              settings; an http entry's derived from its thresholds): latency baseLatencyMs with the
 *              chaos worker's ±10 % jitter (σ 0.06), slowPercentage of calls at slowMs, errorPercentage
 *              errors, throttlePercentage throttles; true capacity = maxConcurrency
 *   start      the first access window opening from Monday 2 March 2026 00:00 in the provider's zone
 *   backlog    dailyRequestLimit records when it has one, else four hours of the oracle's calls,
 *              within [1 000, 50 000]; horizon 48 h
 */
import { DateTime } from "luxon";
import { providerProfile } from "../local/mode/chaos-profile";
import type { Provider } from "../runtime/catalog/provider";
import { serializeProvider } from "../runtime/catalog/provider";
import { windowStatus } from "../runtime/windows/clock";
import { LATENCY_MAX_MS, LATENCY_MIN_MS } from "./provider-model";
import { validateScenario, type Scenario } from "./simulation-scenario";

/** The chaos worker's latency jitter, uniform ±10 %, as a log-normal shape. */
const CHAOS_JITTER_SIGMA = 0.06;
const HORIZON_HOURS = 48;

export function scenarioForProvider(provider: Provider): Scenario {
  const { profile } = providerProfile(provider);
  const local = DateTime.fromObject({ year: 2026, month: 3, day: 2 }, { zone: provider.timezone });
  const monday = local.toMillis();
  const status = windowStatus(provider, monday);
  const start = status.open ? monday : (status.opensAt ?? monday);
  const clip = (ms: number) => Math.min(LATENCY_MAX_MS, Math.max(LATENCY_MIN_MS, ms));
  const slowShare = profile.slowPercentage / 100;
  const meanMs = (1 - slowShare) * clip(profile.baseLatencyMs) + slowShare * clip(profile.slowMs);
  const fourHours = Math.round((provider.maxConcurrency / (meanMs / 1000)) * 4 * 3_600);
  const records = provider.dailyRequestLimit ?? Math.min(50_000, Math.max(1_000, fourHours));
  return validateScenario(
    {
      name: provider.id,
      description: `provider "${provider.id}" from the catalog, with the healthy profile local mode gives it`,
      start: new Date(start).toISOString(),
      horizonHours: HORIZON_HOURS,
      provider: JSON.parse(serializeProvider({ ...provider, enabled: true })) as Record<string, unknown>,
      backlog: [{ records }],
      model: {
        capacity: provider.maxConcurrency,
        latency: {
          medianMs: clip(profile.baseLatencyMs),
          sigma: CHAOS_JITTER_SIGMA,
          ...(slowShare > 0 ? { slow: { share: slowShare, ms: clip(profile.slowMs) } } : {}),
        },
        errorShare: profile.errorPercentage / 100,
        throttleShare: Math.min(profile.throttlePercentage, 100 - profile.errorPercentage) / 100,
      },
    },
    `provider "${provider.id}"`,
  );
}
