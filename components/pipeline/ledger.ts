/**
 * What outlives the pipeline: the DynamoDB ledger (what stops a second fetch
 * today and what an operator reads afterwards) and the dead-letter queue of
 * failed batches. Both are retained when the provider leaves the catalog
 * (docs/infrastructure.md, retiring a provider).
 */
import * as aws from "@pulumi/aws";
import { BILLING_MODE, KEY_TYPE, PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE } from "../../runtime/ledger/table";
import { DLQ_RETENTION_SECONDS } from "../sizing";
import type { PipelineContext } from "./context";

export interface PipelineLedger {
  table: aws.dynamodb.Table;
  deadLetterQueue: aws.sqs.Queue;
}

export function buildLedger({ name, names, tags, kept }: PipelineContext): PipelineLedger {
  const table = new aws.dynamodb.Table(
    `${name}-ledger`,
    {
      name: names.table,
      billingMode: BILLING_MODE,
      hashKey: PARTITION_KEY,
      rangeKey: SORT_KEY,
      attributes: [
        { name: PARTITION_KEY, type: KEY_TYPE },
        { name: SORT_KEY, type: KEY_TYPE },
      ],
      ttl: { attributeName: TTL_ATTRIBUTE, enabled: true },
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true },
      deletionProtectionEnabled: true,
      tags,
    },
    kept,
  );
  const deadLetterQueue = new aws.sqs.Queue(
    `${name}-dlq`,
    { name: names.dlq, sqsManagedSseEnabled: true, messageRetentionSeconds: DLQ_RETENTION_SECONDS, tags },
    kept,
  );
  return { table, deadLetterQueue };
}
