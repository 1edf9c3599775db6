/**
 * The one definition of `providers.json`. The TypeScript types, the JSON
 * Schema editors use (`providers.schema.json`) and every default come from
 * here; nothing else in sluice parses or defaults the catalog.
 */
import * as z from "zod";

export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const clock = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: "expected a 24-hour time HH:MM (00:00–23:59)" });

const weekday = z.enum(WEEKDAYS);

/**
 * A daily window in the provider's local time. `end` before `start` means the
 * window crosses midnight (20:00–06:00 is one night). `days` are the days on
 * which the window *starts*.
 */
export const accessWindowSchema = z.strictObject({
  days: z
    .array(weekday)
    .min(1)
    .default([...WEEKDAYS])
    .describe("Days on which the window starts (default: every day)."),
  start: clock.describe("Local opening time, HH:MM."),
  end: clock.describe("Local closing time, HH:MM; earlier than start means the next day."),
});

/** A weekly window during which the provider must not be called. */
export const maintenanceWindowSchema = z.strictObject({
  day: weekday.describe("Day on which the maintenance starts."),
  start: clock.describe("Local start time, HH:MM."),
  end: clock.describe("Local end time, HH:MM; earlier than start means the next day."),
});

export const chaosSettings = z.strictObject({
  baseLatencyMs: z.number().int().min(0).max(900_000).default(50).describe("Latency of a healthy call."),
  slowPercentage: z.number().min(0).max(100).default(0).describe("SLOW_PERCENTAGE: share of calls that are slow."),
  slowMs: z.number().int().min(0).max(900_000).default(2_000).describe("SLOW_MS: latency of a slow call."),
  errorPercentage: z.number().min(0).max(100).default(0).describe("ERROR_PERCENTAGE: share of calls that fail."),
  throttlePercentage: z.number().min(0).max(100).default(0).describe("THROTTLE_PERCENTAGE: share of calls throttled."),
});

export const httpSettings = z.strictObject({
  urlTemplate: z
    .string()
    .regex(/^https:\/\/[^\s]*\{id\}[^\s]*$/, { message: "expected an https URL containing {id}" })
    .describe("GET target per record; {id} is replaced by the URL-encoded record id."),
  secretId: z.string().min(1).describe("Secrets Manager secret holding the credential."),
  authHeader: z.string().min(1).default("Authorization").describe("Header that carries the credential."),
  authScheme: z.string().default("Bearer").describe("Prefix before the credential ('' for none)."),
  bucket: z.string().min(3).optional().describe("S3 bucket for bodies (default: the stack's landing bucket)."),
  kmsKeyArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/, { message: "expected a KMS key ARN arn:aws:kms:<region>:<account>:key/<id>" })
    .optional()
    .describe("Customer-managed KMS key that `bucket` is encrypted with: the worker is granted kms:GenerateDataKey on it, for that bucket only."),
});

const workerCommon = {
  timeoutSeconds: z.number().int().min(1).max(900).default(90).describe("Worker Lambda timeout."),
  memoryMb: z.number().int().min(128).max(10_240).default(256).describe("Worker Lambda memory."),
};

/** The built-in workers, by name. */
export const BUILT_IN_WORKERS = ["chaos", "http"] as const;

/**
 * A provider's own worker (`defineWorker`, runtime/workers/user): a module path relative to the
 * catalog file. Its settings are checked against the worker's own schema by `sluice validate`
 * (runtime/workers/user/load.ts) and again when its function starts, not here.
 */
export const customWorkerSchema = z.strictObject({
  module: z
    .templateLiteral([z.enum(["./", "../"]), z.string().min(1)])
    .describe("Path of the provider's worker module, relative to the catalog file: ./workers/<id>.ts exporting `default defineWorker(...)`."),
  ...workerCommon,
  settings: z.record(z.string(), z.unknown()).default({}).describe("The worker's own settings, checked against the schema its module declares."),
  secrets: z
    .record(z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, { message: "expected a name of letters, digits, _ and -" }), z.string().min(1))
    .default({})
    .describe("Secrets the worker reads with ctx.secret(name): name → Secrets Manager secret id or ARN (the worker may read these only)."),
});

/**
 * Not a discriminated union: a custom module is any relative path. validate.ts reports a
 * failing union by the branch whose `module` matched, so messages stay per field.
 */
export const workerSchema = z.union([
  z.strictObject({ module: z.literal("chaos"), ...workerCommon, settings: chaosSettings.default(chaosSettings.parse({})) }),
  z.strictObject({ module: z.literal("http"), ...workerCommon, settings: httpSettings }),
  customWorkerSchema,
]);

const breakerSchema = z.strictObject({
  baseIntervalMinutes: z.number().min(0.01).max(1_440).default(10).describe("First half-open wait after the breaker opens."),
  maxIntervalMinutes: z.number().min(0.01).max(10_080).default(160).describe("Cap of the doubling half-open wait."),
  probesToClose: z.number().int().min(1).max(20).default(3).describe("Good probe batches needed to close."),
});

export const stepControllerSchema = z.strictObject({
  strategy: z.literal("step"),
  rearmIntervalMinutes: z
    .number()
    .min(0.01)
    .max(1_440)
    .optional()
    .meta({ deprecated: true })
    .describe("Ignored: like the original demo, step re-enables at the next re-arm tick (stack setting sluice:rearmIntervalMinutes)."),
});

const minUpdateIntervalSeconds = z
  .number()
  .int()
  .min(0)
  .max(3_600)
  .default(60)
  .describe("Hysteresis: the mapping batch size changes at most once per interval; the fan-out limit still changes every wave.");

export const adaptiveControllerSchema = z.strictObject({
  strategy: z.literal("adaptive"),
  decreaseFactor: z.number().gt(0).lt(1).default(0.7).describe("Multiplier applied to the fan-out limit on evidence of congestion."),
  minUpdateIntervalSeconds,
  breaker: breakerSchema.default(breakerSchema.parse({})),
});

/**
 * Published limit algorithms (Netflix concurrency-limits) on the same
 * mechanics as `adaptive` (time-sized batches, waves, breaker, mapping
 * hysteresis): comparison baselines for the benchmark, usable in a catalog.
 */
export const PEER_STRATEGIES = ["aimd", "vegas", "gradient2"] as const;
export type PeerStrategyName = (typeof PEER_STRATEGIES)[number];

const peerControllerSchema = <N extends PeerStrategyName>(name: N) =>
  z.strictObject({ strategy: z.literal(name), minUpdateIntervalSeconds, breaker: breakerSchema.default(breakerSchema.parse({})) });

export const aimdControllerSchema = peerControllerSchema("aimd");
export const vegasControllerSchema = peerControllerSchema("vegas");
export const gradient2ControllerSchema = peerControllerSchema("gradient2");

export const controllerSchema = z.discriminatedUnion("strategy", [
  stepControllerSchema,
  adaptiveControllerSchema,
  aimdControllerSchema,
  vegasControllerSchema,
  gradient2ControllerSchema,
]);

export const ledgerSettingsSchema = z.strictObject({
  ttlDays: z.number().int().min(1).max(365).default(7).describe("Days a ledger item is kept after its provider day."),
  leaseSeconds: z
    .number()
    .int()
    .min(1)
    .max(3_600)
    .optional()
    .describe("How long a claim blocks others (default: worker timeout + 60 s)."),
  retryBackoffSeconds: z
    .number()
    .int()
    .min(0)
    .max(3_600)
    .default(10)
    .describe("Wait before a failed record is tried again; doubles with each attempt, up to 10 minutes (a provider's Retry-After wins when longer)."),
});

export const providerSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,30}[a-z0-9]$/, {
      message: "expected a slug of 2–32 lowercase letters, digits and dashes, starting with a letter",
    })
    .describe("Unique slug; names every resource of the pipeline."),
  description: z.string().optional(),
  enabled: z.boolean().default(true).describe("false deploys the pipeline with its mapping disabled."),
  maxConcurrency: z.number().int().min(1).max(10_000).describe("The provider's contractual cap on calls in flight."),
  maxFanOut: z
    .number()
    .int()
    .min(1)
    .max(10_000)
    .optional()
    .describe("Fan-out limit's ceiling: calls one batch may have in flight (default: the cap ÷ (shards × parallelization))."),
  initialFanOut: z.number().int().min(1).max(10_000).optional().describe("Fan-out limit at deploy (default: maxFanOut)."),
  maxBatchSize: z.number().int().min(1).max(10_000).optional().meta({ deprecated: true }).describe("Deprecated: the old name of maxFanOut."),
  initialBatchSize: z.number().int().min(1).max(10_000).optional().meta({ deprecated: true }).describe("Deprecated: the old name of initialFanOut."),
  shardCount: z.number().int().min(1).max(500).default(1),
  parallelizationFactor: z.number().int().min(1).max(10).default(1),
  latencyThresholdMs: z.number().int().min(1).max(900_000).default(5_000).describe("A call slower than this is slow."),
  errorRateThreshold: z
    .number()
    .min(0)
    .max(1)
    .default(0.5)
    .describe("Share of bad calls (failed, throttled, slow) that means the provider struggles; acted on when the evidence is clearly past it."),
  maxAttempts: z.number().int().min(1).max(100).default(3).describe("Attempts per record per provider day before it is dead."),
  timezone: z.string().default("UTC").describe("IANA time zone of the provider's windows and day."),
  accessWindows: z.array(accessWindowSchema).default([]).describe("When calls are allowed; empty means always."),
  maintenanceWindows: z.array(maintenanceWindowSchema).default([]).describe("Weekly windows when calls are forbidden."),
  dailyRequestLimit: z.number().int().min(1).optional().describe("Calls allowed per provider day."),
  streamRetentionHours: z.number().int().min(24).max(8_760).optional().describe("Kinesis retention (default: covers the longest closed period + 24 h)."),
  worker: workerSchema,
  controller: controllerSchema.default(adaptiveControllerSchema.parse({ strategy: "adaptive" })),
  ledger: ledgerSettingsSchema.default(ledgerSettingsSchema.parse({})),
});

export const catalogSchema = z.strictObject({
  $schema: z.string().optional(),
  providers: z.array(providerSchema),
});

export type ProviderInput = z.input<typeof providerSchema>;
export type CatalogInput = z.input<typeof catalogSchema>;
export type AccessWindow = z.output<typeof accessWindowSchema>;
export type MaintenanceWindow = z.output<typeof maintenanceWindowSchema>;
export type WorkerConfig = z.output<typeof workerSchema>;
export type CustomWorkerConfig = z.output<typeof customWorkerSchema>;
export type ChaosSettings = z.output<typeof chaosSettings>;
export type HttpSettings = z.output<typeof httpSettings>;
export type ControllerConfig = z.output<typeof controllerSchema>;
export type StepControllerConfig = z.output<typeof stepControllerSchema>;
export type AdaptiveControllerConfig = z.output<typeof adaptiveControllerSchema>;
/** Every strategy but step: a fan-out limit adapted wave by wave, behind the shared breaker. */
export type LimitControllerConfig = Exclude<ControllerConfig, StepControllerConfig>;
export type BreakerConfig = z.output<typeof breakerSchema>;
