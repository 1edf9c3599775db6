/**
 * Runs Pulumi code under the SDK's mocks (no CLI, no engine) and records every
 * resource registration with its inputs. The mock answers with plausible AWS
 * outputs (ARNs, UUIDs, URLs) built from the inputs, so applies that build
 * policies from ARNs run as they would in a deploy.
 */
import * as pulumi from "@pulumi/pulumi";

export const ACCOUNT = "123456789012";
export const REGION = "eu-west-2";

export interface Registered {
  type: string;
  name: string;
  inputs: Record<string, any>;
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
}

/**
 * Installs fresh mocks and config, runs `fn`, waits until every registration
 * has reached the mock monitor, then disconnects. Provider resources
 * (pulumi:providers:*) are left out of `resources`.
 */
export async function runUnderMocks<T>(fn: () => T, config: Record<string, string> = {}): Promise<MockRun<T>> {
  const resources: Registered[] = [];
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
    "sluice",
    "dev",
    false,
  );
  pulumi.runtime.setAllConfig({ "aws:region": REGION, ...config });
  let run: MockRun<T>;
  try {
    run = { result: fn(), resources };
  } catch (error) {
    run = { error, resources };
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
