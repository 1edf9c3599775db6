/** The provider's Kinesis stream: record ids wait here, KMS-encrypted, as long as the provider can stay closed. */
import * as aws from "@pulumi/aws";
import type { PipelineContext } from "./context";

/** AWS-managed Kinesis key: encryption at rest without a key to manage or grant. */
export const KINESIS_KMS_KEY = "alias/aws/kinesis";

export function buildStream({ name, names, provider, contract, child }: PipelineContext): aws.kinesis.Stream {
  return new aws.kinesis.Stream(
    `${name}-stream`,
    {
      name: names.stream,
      shardCount: provider.shardCount,
      retentionPeriod: provider.streamRetentionHours,
      encryptionType: "KMS",
      kmsKeyId: KINESIS_KMS_KEY,
      streamModeDetails: { streamMode: "PROVISIONED" },
      tags: contract,
    },
    child,
  );
}
