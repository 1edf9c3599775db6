/**
 * A provider pipeline's arguments, and the problems that would make AWS refuse
 * it: checked before the component creates any child (as pulumi-awsx's
 * validateVpcArgs is).
 */
import { usesStackBucket } from "../worker-access";
import type * as pulumi from "@pulumi/pulumi";
import type { Provider } from "../../runtime/catalog/provider";
import { SluiceError } from "../../runtime/errors";
import { environmentBytes, LAMBDA_ENVIRONMENT_MAX_BYTES, ventilatorEnvironment, workerEnvironment } from "../environment";
import { LOG_RETENTION_DAYS } from "../settings";
import { contractTags, tagProblems } from "../tags";

export interface ProviderPipelineArgs {
  /** The validated catalog entry (every default resolved). */
  provider: Provider;
  stack: string;
  region: string;
  metricsNamespace: string;
  rearmIntervalMinutes: number;
  logRetentionDays: number;
  /** The account's Lambda concurrency limit the stack budgets against; tagged on the functions for the policy pack. */
  accountConcurrencyLimit: number;
  alarmTopicArn?: string;
  /** The stack's landing bucket; required by an http worker whose settings name no bucket, and by a custom worker. */
  landingBucket?: pulumi.Input<string>;
  /** The stack's landing bucket's customer-managed KMS key, if it has one: the worker may generate data keys with it. */
  landingKmsKeyArn?: string;
  /** Deployment packages (index.js exporting `handler`), shared between providers. */
  code: { ventilator: pulumi.asset.Archive; worker: pulumi.asset.Archive };
}

export class ProviderPipelineError extends SluiceError {
  constructor(
    readonly providerId: string,
    readonly problems: readonly string[],
  ) {
    super(problems.map((p) => `ProviderPipeline "${providerId}": ${p}`).join("\n"));
  }
}

/** Room left in the environment for the names and ARNs known only at deploy time. */
const ENVIRONMENT_HEADROOM_BYTES = 512;

/** Problems that would make AWS refuse the pipeline, one line each; empty when the args are fine. */
export function pipelineArgProblems(args: ProviderPipelineArgs): string[] {
  const { provider } = args;
  const problems: string[] = [];
  if (!args.stack) problems.push("stack is empty");
  if (!args.region) problems.push("region is empty");
  if (!args.metricsNamespace) problems.push("metricsNamespace is empty");
  if (!Number.isInteger(args.rearmIntervalMinutes) || args.rearmIntervalMinutes < 1 || args.rearmIntervalMinutes > 1_440) {
    problems.push(`rearmIntervalMinutes ${args.rearmIntervalMinutes} must be a whole number from 1 to 1440`);
  }
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(args.logRetentionDays)) {
    problems.push(`logRetentionDays ${args.logRetentionDays} is not a CloudWatch Logs retention`);
  }
  if (!Number.isInteger(args.accountConcurrencyLimit) || args.accountConcurrencyLimit < 1) {
    problems.push(`accountConcurrencyLimit ${args.accountConcurrencyLimit} must be a whole number ≥ 1`);
  }
  problems.push(...tagProblems(contractTags(provider)));
  if (usesStackBucket(provider) && args.landingBucket === undefined) {
    problems.push(`the ${provider.worker.module === "http" ? "http worker names no worker.settings.bucket" : "worker lands in the stack's bucket"} and no landingBucket was given`);
  }
  const placeholders = { tableName: "", streamArn: "", workerFunctionName: "", metricsNamespace: args.metricsNamespace };
  const largest = Math.max(
    environmentBytes(ventilatorEnvironment(provider, placeholders)),
    environmentBytes(workerEnvironment(provider, { tableName: "" })),
  );
  if (largest + ENVIRONMENT_HEADROOM_BYTES > LAMBDA_ENVIRONMENT_MAX_BYTES) {
    problems.push(`the catalog entry takes ${largest} bytes of Lambda environment; AWS allows ${LAMBDA_ENVIRONMENT_MAX_BYTES} in all`);
  }
  return problems;
}
