/**
 * The three local engines sluice runs on without AWS: kinesis-mock, DynamoDB
 * Local and the Lambda emulator. Started together, stopped together.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { KinesisClient } from "@aws-sdk/client-kinesis";
import { dynamoClient, kinesisClient } from "../../runtime/aws/clients";
import type { Clock } from "../../runtime/ventilator/ports";
import { startLambdaEmulator, type LambdaEmulator } from "../lambda-emulator";
import { startDynamoDbLocal } from "./dynamodb";
import { startKinesisMock } from "./kinesis";

export interface LocalEngines {
  kinesisEndpoint: string;
  dynamoEndpoint: string;
  emulator: LambdaEmulator;
  kinesis: KinesisClient;
  dynamo: DynamoDBClient;
  /** The environment that points the AWS SDK (and the sluice CLI) at these engines. */
  environment: Record<string, string>;
  stop(): Promise<void>;
}

export interface LocalEnginesOptions {
  /** Reuse a running DynamoDB Local (tests share one per process). */
  dynamoEndpoint?: string;
  clock?: Clock;
  /** How long a mapping update takes to apply. @default 1000 */
  updateDelayMs?: number;
}

export async function startLocalEngines(opts: LocalEnginesOptions = {}): Promise<LocalEngines> {
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    const [kinesisMock, dynamoLocal] = await Promise.all([
      startKinesisMock(),
      opts.dynamoEndpoint ? Promise.resolve(null) : startDynamoDbLocal({ inMemory: true }),
    ]);
    stops.push(() => kinesisMock.stop());
    if (dynamoLocal) stops.push(() => dynamoLocal.stop());
    const dynamoEndpoint = opts.dynamoEndpoint ?? dynamoLocal!.endpoint;
    const emulator = await startLambdaEmulator({ kinesisEndpoint: kinesisMock.endpoint, clock: opts.clock, updateDelayMs: opts.updateDelayMs });
    stops.push(() => emulator.stop());
    const kinesis = kinesisClient({ endpoint: kinesisMock.endpoint });
    const dynamo = dynamoClient({ endpoint: dynamoEndpoint });
    stops.push(async () => {
      kinesis.destroy();
      dynamo.destroy();
    });
    return {
      kinesisEndpoint: kinesisMock.endpoint,
      dynamoEndpoint,
      emulator,
      kinesis,
      dynamo,
      environment: {
        AWS_ENDPOINT_URL_KINESIS: kinesisMock.endpoint,
        AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
        AWS_ENDPOINT_URL_LAMBDA: emulator.endpoint,
        AWS_REGION: emulator.place.region,
        AWS_ACCESS_KEY_ID: "local",
        AWS_SECRET_ACCESS_KEY: "local",
      },
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
