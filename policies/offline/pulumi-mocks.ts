/**
 * Runs Pulumi code under the SDK's mocks (no CLI, no engine) and records every
 * resource registration. The mock answers with plausible AWS outputs (ARNs,
 * UUIDs, URLs) built from the inputs, so applies that build policies from ARNs
 * run as they would in a deploy.
 *
 * Two records per run:
 * - `resources`: type, name and inputs as the mock's newResource sees them
 *   (what the component tests assert on);
 * - `engine`: each registration as the engine receives it — URN, parent,
 *   dependencies, resource options (ignoreChanges, protect…), provider
 *   reference, inputs and outputs — taken from the RegisterResource requests
 *   the SDK sends to the mock monitor. `sluice policy-check` builds the policy
 *   pack's arguments from it, the way the engine builds them from the same requests.
 *
 * Used by `sluice policy-check` (check-program.ts, next to it), the component
 * and policy tests and the Pulumi program benchmark (bench/pulumi-program.ts).
 */
import * as pulumi from "@pulumi/pulumi";

export const ACCOUNT = "123456789012";
export const REGION = "eu-west-2";
export const PROJECT = "sluice";
export const DEFAULT_MOCK_STACK = "dev";

export interface Registered {
  type: string;
  name: string;
  inputs: Record<string, any>;
}

/** A registration as the engine sees it (the fields an analyzer request carries). */
export interface EngineResource {
  urn: string;
  type: string;
  name: string;
  /** false for component resources. */
  custom: boolean;
  parent?: string;
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
  /** Provider reference `<provider urn>::<provider id>`, when the resource has one. */
  provider?: string;
  options: EngineResourceOptions;
  /**
   * Inputs and outputs in the wire form the engine forwards to analyzers:
   * JSON with Pulumi's signature objects for assets, archives and secrets.
   */
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
}

export interface EngineResourceOptions {
  protect: boolean;
  ignoreChanges: string[];
  deleteBeforeReplace?: boolean;
  aliases: string[];
  customTimeouts: { createSeconds: number; updateSeconds: number; deleteSeconds: number };
  additionalSecretOutputs: string[];
}

function outputsFor(type: string, name: string, inputs: Record<string, any>): Record<string, unknown> {
  const arn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;
  switch (type) {
    case "aws:kinesis/stream:Stream":
      return { arn: arn("kinesis", `stream/${inputs.name}`) };
    case "aws:dynamodb/table:Table":
      return { arn: arn("dynamodb", `table/${inputs.name}`) };
    case "aws:sqs/queue:Queue":
      return { arn: arn("sqs", inputs.name), url: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${inputs.name}` };
    case "aws:cloudwatch/logGroup:LogGroup":
      return { arn: arn("logs", `log-group:${inputs.name}`) };
    case "aws:iam/role:Role":
      return { arn: `arn:aws:iam::${ACCOUNT}:role/${inputs.name}` };
    case "aws:lambda/function:Function":
      return { arn: arn("lambda", `function:${inputs.name}`) };
    case "aws:lambda/eventSourceMapping:EventSourceMapping": {
      const uuid = `uuid-${name}`;
      return { uuid, arn: arn("lambda", `event-source-mapping:${uuid}`) };
    }
    case "aws:cloudwatch/eventRule:EventRule":
      return { arn: arn("events", `rule/${inputs.name}`) };
    case "aws:cloudwatch/metricAlarm:MetricAlarm":
      return { arn: arn("cloudwatch", `alarm:${inputs.name}`) };
    case "aws:cloudwatch/dashboard:Dashboard":
      return { dashboardArn: `arn:aws:cloudwatch::${ACCOUNT}:dashboard/${inputs.dashboardName}` };
    case "aws:s3/bucket:Bucket": {
      const bucket = `${inputs.bucketPrefix ?? name}20250101abcdef`;
      return { bucket, arn: `arn:aws:s3:::${bucket}` };
    }
    default:
      return {};
  }
}

export interface MockRun<T> {
  result?: T;
  error?: unknown;
  resources: Registered[];
  engine: EngineResource[];
}

export interface MockRunOptions {
  /** @default "dev" */
  stack?: string;
  /** @default "sluice" */
  project?: string;
}

/** Seconds of a Go duration as the SDK sends custom timeouts ("1h30m", "90s"); 0 when unset. */
export function durationSeconds(value: string): number {
  let seconds = 0;
  for (const m of value.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s)/g)) {
    const n = Number(m[1]);
    seconds += m[2] === "h" ? n * 3_600 : m[2] === "m" ? n * 60 : m[2] === "s" ? n : n / 1_000;
  }
  return seconds;
}

type Callback = (err: unknown, response: any) => void;
interface MonitorLike {
  registerResource(req: any, callback: Callback): unknown;
  registerResourceOutputs(req: any, callback: Callback): unknown;
}

/** Wraps the mock monitor so every registration is also recorded as the engine would receive it. */
function recordEngineView(monitor: MonitorLike, engine: EngineResource[]): void {
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) =>
    register(req, (err, response) => {
      if (!err && response) {
        const timeouts = req.getCustomtimeouts();
        const propertyDependencies: Record<string, string[]> = {};
        for (const [key, deps] of req.getPropertydependenciesMap().entries()) propertyDependencies[key] = deps.getUrnsList();
        engine.push({
          urn: response.getUrn(),
          type: req.getType(),
          name: req.getName(),
          custom: req.getCustom(),
          ...(req.getParent() ? { parent: req.getParent() } : {}),
          dependencies: req.getDependenciesList(),
          propertyDependencies,
          ...(req.getProvider() ? { provider: req.getProvider() } : {}),
          options: {
            protect: req.getProtect() ?? false,
            ignoreChanges: req.getIgnorechangesList(),
            ...(req.getDeletebeforereplacedefined() ? { deleteBeforeReplace: req.getDeletebeforereplace() } : {}),
            aliases: req
              .getAliasesList()
              .map((a: { getUrn?: () => string }) => a.getUrn?.() ?? "")
              .filter((u: string) => u !== ""),
            customTimeouts: {
              createSeconds: timeouts ? durationSeconds(timeouts.getCreate()) : 0,
              updateSeconds: timeouts ? durationSeconds(timeouts.getUpdate()) : 0,
              deleteSeconds: timeouts ? durationSeconds(timeouts.getDelete()) : 0,
            },
            additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
          },
          inputs: req.getObject()?.toJavaScript() ?? {},
          outputs: response.getObject()?.toJavaScript() ?? {},
        });
      }
      callback(err, response);
    });
  const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
  monitor.registerResourceOutputs = (req, callback) => {
    const found = engine.find((r) => r.urn === req.getUrn());
    if (found && req.getOutputs()) found.outputs = req.getOutputs().toJavaScript();
    return registerOutputs(req, callback);
  };
}

/**
 * Installs fresh mocks and config, runs `fn`, waits until every registration
 * has reached the mock monitor, then disconnects. Provider resources
 * (pulumi:providers:*) are left out of `resources` (they stay in `engine`).
 */
export async function runUnderMocks<T>(fn: () => T, config: Record<string, string> = {}, options: MockRunOptions = {}): Promise<MockRun<T>> {
  const resources: Registered[] = [];
  const engine: EngineResource[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        if (!args.type.startsWith("pulumi:providers:")) resources.push({ type: args.type, name: args.name, inputs: args.inputs });
        const outputs = outputsFor(args.type, args.name, args.inputs);
        return { id: `${args.name}-id`, state: { ...args.inputs, ...outputs } };
      },
      call(args) {
        return args.inputs;
      },
    },
    options.project ?? PROJECT,
    options.stack ?? DEFAULT_MOCK_STACK,
    false,
  );
  recordEngineView(pulumi.runtime.getMonitor() as unknown as MonitorLike, engine);
  pulumi.runtime.setAllConfig({ "aws:region": REGION, ...config });
  let run: MockRun<T>;
  try {
    run = { result: fn(), resources, engine };
  } catch (error) {
    run = { error, resources, engine };
  }
  await pulumi.runtime.disconnect();
  return run;
}

/** The resolved value of an output (mocks run with preview=false, so every output resolves). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((v) => resolve(v)));
}

export function ofType(resources: Registered[], type: string): Registered[] {
  return resources.filter((r) => r.type === type);
}

export function named(resources: Registered[], name: string): Registered {
  const found = resources.find((r) => r.name === name);
  if (!found) throw new Error(`no resource named ${name}; have ${resources.map((r) => r.name).join(", ")}`);
  return found;
}
