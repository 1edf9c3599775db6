/**
 * The Lambda emulator for `sluice local` and the end-to-end tests: in-process
 * functions, the Lambda REST API for the SDK, Kinesis event source mappings
 * polling kinesis-mock, and EventBridge-like schedules. Timers are real; every
 * delay (update, poll, schedule, function timeout) is configurable so tests
 * compress time through configuration. Point the production LambdaClient at
 * `endpoint` (e.g. AWS_ENDPOINT_URL_LAMBDA).
 */
import type { KinesisClient } from "@aws-sdk/client-kinesis";
import { kinesisClient } from "../../runtime/aws/clients";
import { systemClock, type Clock } from "../../runtime/ventilator/ports";
import { LOCAL_ACCOUNT_ID, type Place } from "./arn";
import { ControlPlaneMeter } from "./control-plane-meter";
import { FunctionRegistry } from "./functions";
import type { EventSourceMapping } from "./event-source-mapping";
import { MappingStore } from "./mapping-store";
import type { MappingConfig } from "./mapping-settings";
import { KinesisPoller } from "./poller";
import { startSchedule, type Schedule, type ScheduleOptions } from "./schedule";
import { startLambdaServer } from "./server";

export interface LambdaEmulatorOptions {
  /** kinesis-mock's endpoint (startKinesisMock().endpoint). */
  kinesisEndpoint: string;
  /** @default systemClock */
  clock?: Clock;
  /** @default "us-east-1" (kinesis-mock's default region) */
  region?: string;
  /** @default LOCAL_ACCOUNT_ID (kinesis-mock's default account) */
  accountId?: string;
  /** How long an UpdateEventSourceMapping (or a creation through the API) takes to apply. @default 1000 */
  updateDelayMs?: number;
  /** Control-plane requests per second for the whole emulator; null = unlimited. @default 15 (Lambda's quota) */
  controlPlaneRps?: number | null;
}

export interface MappingHandle {
  mapping: EventSourceMapping;
  poller: KinesisPoller;
}

export interface LambdaEmulator {
  endpoint: string;
  place: Place;
  functions: FunctionRegistry;
  /** The control plane's view of the mappings (desired settings, state). */
  mappings: MappingStore;
  controlPlane: ControlPlaneMeter;
  kinesis: KinesisClient;
  /** Creates a mapping settled at once (no Creating phase) and starts polling it. */
  createMapping(config: MappingConfig): MappingHandle;
  /** The poller of a mapping, created here or through CreateEventSourceMapping. */
  poller(uuid: string): KinesisPoller;
  startSchedule(opts: ScheduleOptions): Schedule;
  /** Stops schedules and pollers (waiting for in-flight batches), then the server. */
  stop(): Promise<void>;
}

export async function startLambdaEmulator(opts: LambdaEmulatorOptions): Promise<LambdaEmulator> {
  const clock = opts.clock ?? systemClock;
  const place: Place = { region: opts.region ?? "us-east-1", accountId: opts.accountId ?? LOCAL_ACCOUNT_ID };
  const updateDelayMs = opts.updateDelayMs ?? 1_000;
  if (!Number.isFinite(updateDelayMs) || updateDelayMs < 0) throw new RangeError(`startLambdaEmulator: updateDelayMs ${updateDelayMs} must be >= 0`);
  const functions = new FunctionRegistry({ clock, ...place });
  const mappings = new MappingStore(place, () => clock.now(), updateDelayMs);
  const controlPlane = new ControlPlaneMeter();
  const kinesis = kinesisClient({ endpoint: opts.kinesisEndpoint, region: place.region });
  const pollers = new Map<string, KinesisPoller>();
  const schedules: Schedule[] = [];

  const startPolling = (mapping: EventSourceMapping): KinesisPoller => {
    const poller = new KinesisPoller({ mapping, functions, kinesis, clock, place });
    pollers.set(mapping.uuid, poller);
    poller.start();
    return poller;
  };

  const server = await startLambdaServer({
    functions,
    mappings,
    meter: controlPlane,
    clock,
    controlPlaneRps: opts.controlPlaneRps === undefined ? 15 : opts.controlPlaneRps,
    onMappingCreated: startPolling,
  });

  return {
    endpoint: server.endpoint,
    place,
    functions,
    mappings,
    controlPlane,
    kinesis,
    createMapping(config) {
      if (!functions.has(config.functionName)) throw new RangeError(`createMapping: function "${config.functionName}" is not registered`);
      const mapping = mappings.create(config);
      return { mapping, poller: startPolling(mapping) };
    },
    poller(uuid) {
      const poller = pollers.get(uuid);
      if (!poller) throw new RangeError(`no poller for mapping ${uuid}`);
      return poller;
    },
    startSchedule(scheduleOpts) {
      const schedule = startSchedule(functions, clock, scheduleOpts);
      schedules.push(schedule);
      return schedule;
    },
    async stop() {
      await Promise.all(schedules.map((s) => s.stop()));
      await Promise.all([...pollers.values()].map((p) => p.stop()));
      mappings.dispose();
      await functions.dispose();
      await server.close();
      kinesis.destroy();
    },
  };
}

export type { FunctionDefinition, InvocationResult, LambdaContext, LambdaHandler } from "./functions";
export type { SandboxSpec } from "./sandbox";
export type { InvocationRecord, FunctionCounters } from "./invocation-log";
export type { MappingConfig, MappingSettings } from "./mapping-settings";
export type { DeliveredBatch, ShardProgress } from "./poller";
export type { OnFailureRecord } from "./on-failure";
export type { KinesisStreamEvent, KinesisEventRecord } from "./kinesis-event";
export type { ScheduledEvent, Schedule, ScheduleOptions } from "./schedule";
export { EventSourceMapping } from "./event-source-mapping";
export { MappingStore } from "./mapping-store";
export { FunctionRegistry } from "./functions";
export { KinesisPoller } from "./poller";
export { ControlPlaneMeter } from "./control-plane-meter";
