/**
 * One provider's pipeline: stream → ventilator → worker → provider, with its
 * ledger, dead-letter queue, re-arm schedule, logs, alarms and dashboard.
 * The component only wires: names, sizes, policies, environments, alarms and
 * the dashboard come from the pure helpers next to it. Its arguments are
 * checked before any child exists.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Provider } from "../runtime/catalog/provider";
import { SluiceError } from "../runtime/errors";
import { BILLING_MODE, KEY_TYPE, PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE } from "../runtime/ledger/table";
import { alarmSpecs, type AlarmKey } from "./alarms";
import { LAMBDA_HANDLER } from "./bundle";
import { dashboardBody, dashboardUrl } from "./dashboard";
import { environmentBytes, LAMBDA_ENVIRONMENT_MAX_BYTES, ventilatorEnvironment, workerEnvironment } from "./environment";
import { arnParts, bucketArn, lambdaAssumeRolePolicy, secretArn, ventilatorMappingPolicy, ventilatorPolicy, workerPolicy } from "./iam";
import { mappingOptions, mappingSettings } from "./mapping";
import { usesStackBucket, workerAccess } from "./worker-access";
import { pipelineNames, type PipelineNames } from "./naming";
import { LOG_RETENTION_DAYS } from "./settings";
import {
  DLQ_RETENTION_SECONDS,
  rateExpression,
  REARM_TICK_MAX_EVENT_AGE_SECONDS,
  ventilatorReservedConcurrency,
  ventilatorTimeoutSeconds,
  workerLambdaTimeoutSeconds,
  workerReservedConcurrency,
} from "./sizing";
import { accountLimitTags, contractTags, providerTags, tagProblems } from "./tags";

export const PROVIDER_PIPELINE_TYPE = "sluice:index:ProviderPipeline";

export const LAMBDA_RUNTIME = "nodejs22.x";
export const LAMBDA_ARCHITECTURE = "arm64";
/** The ventilator waits on workers and the ledger; it computes little. */
export const VENTILATOR_MEMORY_MB = 256;
/** AWS-managed Kinesis key: encryption at rest without a key to manage or grant. */
export const KINESIS_KMS_KEY = "alias/aws/kinesis";

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
  /** The stack's landing bucket; required by an http worker whose settings name no bucket. */
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

export class ProviderPipeline extends pulumi.ComponentResource {
  readonly names: PipelineNames;
  readonly stream: aws.kinesis.Stream;
  readonly table: aws.dynamodb.Table;
  readonly deadLetterQueue: aws.sqs.Queue;
  readonly worker: aws.lambda.Function;
  readonly ventilator: aws.lambda.Function;
  readonly mapping: aws.lambda.EventSourceMapping;
  readonly rearmRule: aws.cloudwatch.EventRule;
  readonly alarms: Record<AlarmKey, aws.cloudwatch.MetricAlarm>;
  readonly dashboard: aws.cloudwatch.Dashboard;
  readonly dashboardUrl: string;

  constructor(name: string, args: ProviderPipelineArgs, opts?: pulumi.ComponentResourceOptions) {
    const problems = pipelineArgProblems(args);
    if (problems.length > 0) throw new ProviderPipelineError(args.provider.id, problems);
    super(PROVIDER_PIPELINE_TYPE, name, {}, opts);

    const { provider } = args;
    const names = pipelineNames(args.stack, provider.id);
    const tags = providerTags(provider);
    const contract = contractTags(provider);
    const budgeted = accountLimitTags(args.accountConcurrencyLimit);
    const child = { parent: this };
    /** Left in the account when the pipeline is removed: the ledger and the dead batches. */
    const kept = { parent: this, retainOnDelete: true };
    this.names = names;

    this.stream = new aws.kinesis.Stream(
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

    this.table = new aws.dynamodb.Table(
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
        // The ledger is what stops a second fetch today and what an operator reads afterwards: removing a
        // provider from the catalog leaves it in the account (docs/infrastructure.md, retiring a provider).
        deletionProtectionEnabled: true,
        tags,
      },
      kept,
    );

    this.deadLetterQueue = new aws.sqs.Queue(
      `${name}-dlq`,
      { name: names.dlq, sqsManagedSseEnabled: true, messageRetentionSeconds: DLQ_RETENTION_SECONDS, tags },
      kept,
    );

    const logGroup = (suffix: string, groupName: string) =>
      new aws.cloudwatch.LogGroup(`${name}-${suffix}-logs`, { name: groupName, retentionInDays: args.logRetentionDays, tags }, child);
    const workerLogs = logGroup("worker", names.workerLogGroup);
    const ventilatorLogs = logGroup("ventilator", names.ventilatorLogGroup);

    const assumeRolePolicy = JSON.stringify(lambdaAssumeRolePolicy());

    // Worker: its logs, its ledger (the guard completes records), and (http or its own module) its secrets and its own prefix of the landing bucket.
    const workerRole = new aws.iam.Role(`${name}-worker-role`, { name: names.workerRole, assumeRolePolicy, tags }, child);
    const access = workerAccess(provider, args.landingBucket, args.landingKmsKeyArn);
    const workerBucket: pulumi.Input<string> | undefined = access.bucket;
    const workerGrants = pulumi
      .all([workerLogs.arn, this.stream.arn, this.table.arn, workerBucket])
      .apply(([logGroupArn, streamArn, tableArn, bucket]) => {
        const where = arnParts(streamArn);
        return JSON.stringify(
          workerPolicy({
            logGroupArn,
            tableArn,
            secretArns: access.secretIds.map((id) => secretArn(id, where)),
            ...(bucket ? { landing: { bucketArn: bucketArn(bucket, where.partition), prefix: `${provider.id}/`, ...(access.kmsKeyArn !== undefined ? { kmsKeyArn: access.kmsKeyArn } : {}) } } : {}),
          }),
        );
      });
    const workerRolePolicy = new aws.iam.RolePolicy(`${name}-worker-policy`, { role: workerRole.id, policy: workerGrants }, child);

    this.worker = new aws.lambda.Function(
      `${name}-worker`,
      {
        name: names.worker,
        description: `sluice ${provider.id}: ${provider.worker.module} worker`.slice(0, 256),
        role: workerRole.arn,
        runtime: LAMBDA_RUNTIME,
        architectures: [LAMBDA_ARCHITECTURE],
        handler: LAMBDA_HANDLER,
        code: args.code.worker,
        timeout: workerLambdaTimeoutSeconds(provider),
        memorySize: provider.worker.memoryMb,
        // The provider's cap as a hard AWS-side ceiling, whatever the ventilator does.
        reservedConcurrentExecutions: workerReservedConcurrency(provider),
        environment: {
          variables: pulumi
            .all([this.table.name, workerBucket])
            .apply(([tableName, bucket]) => workerEnvironment(provider, { tableName, ...(bucket ? { bucket } : {}) })),
        },
        loggingConfig: { logFormat: "Text", logGroup: workerLogs.name },
        tags: { ...contract, ...budgeted },
      },
      { parent: this, dependsOn: [workerLogs, workerRolePolicy] },
    );

    // Ventilator: the base policy exists before the mapping, since AWS checks the stream grants on creation.
    const ventilatorRole = new aws.iam.Role(`${name}-ventilator-role`, { name: names.ventilatorRole, assumeRolePolicy, tags }, child);
    const ventilatorBasePolicy = new aws.iam.RolePolicy(
      `${name}-ventilator-policy`,
      {
        role: ventilatorRole.id,
        policy: pulumi
          .all([this.stream.arn, this.table.arn, this.worker.arn, this.deadLetterQueue.arn, ventilatorLogs.arn])
          .apply(([streamArn, tableArn, workerArn, dlqArn, logGroupArn]) =>
            JSON.stringify(ventilatorPolicy({ streamArn, tableArn, workerArn, dlqArn, logGroupArn })),
          ),
      },
      child,
    );

    this.ventilator = new aws.lambda.Function(
      `${name}-ventilator`,
      {
        name: names.ventilator,
        description: `sluice ${provider.id}: ventilator (adaptive fan-out, breaker, ledger)`,
        role: ventilatorRole.arn,
        runtime: LAMBDA_RUNTIME,
        architectures: [LAMBDA_ARCHITECTURE],
        handler: LAMBDA_HANDLER,
        code: args.code.ventilator,
        timeout: ventilatorTimeoutSeconds(provider),
        memorySize: VENTILATOR_MEMORY_MB,
        // One invocation per batch in flight (shards × parallelization factor) and one for the re-arm tick.
        reservedConcurrentExecutions: ventilatorReservedConcurrency(provider),
        environment: {
          variables: pulumi
            .all([this.table.name, this.stream.arn, this.worker.name])
            .apply(([tableName, streamArn, workerFunctionName]) =>
              ventilatorEnvironment(provider, { tableName, streamArn, workerFunctionName, metricsNamespace: args.metricsNamespace }),
            ),
        },
        loggingConfig: { logFormat: "Text", logGroup: ventilatorLogs.name },
        tags: { ...tags, ...budgeted },
      },
      { parent: this, dependsOn: [ventilatorLogs, ventilatorBasePolicy] },
    );

    // The mapping control names the function, not the mapping, so it exists before the mapping's first batch.
    const ventilatorMappingPolicyResource = new aws.iam.RolePolicy(
      `${name}-ventilator-mapping-policy`,
      {
        role: ventilatorRole.id,
        policy: this.ventilator.arn.apply((functionArn) => JSON.stringify(ventilatorMappingPolicy({ functionArn, where: arnParts(functionArn) }))),
      },
      child,
    );

    this.mapping = new aws.lambda.EventSourceMapping(
      `${name}-mapping`,
      {
        eventSourceArn: this.stream.arn,
        functionName: this.ventilator.arn,
        ...mappingSettings(provider),
        destinationConfig: { onFailure: { destinationArn: this.deadLetterQueue.arn } },
        tags: contract,
      },
      mappingOptions(provider, { parent: this, dependsOn: [ventilatorBasePolicy, ventilatorMappingPolicyResource] }),
    );

    // The schedule re-arms the breaker and reconciles the mapping; off while the provider is disabled,
    // so a tick cannot turn a disabled provider's mapping back on.
    this.rearmRule = new aws.cloudwatch.EventRule(
      `${name}-rearm`,
      {
        name: names.rearmRule,
        description: `sluice ${provider.id}: re-arm schedule of the ventilator`,
        scheduleExpression: rateExpression(args.rearmIntervalMinutes),
        state: provider.enabled ? "ENABLED" : "DISABLED",
        tags,
      },
      child,
    );
    new aws.lambda.Permission(
      `${name}-rearm-permission`,
      { action: "lambda:InvokeFunction", function: this.ventilator.name, principal: "events.amazonaws.com", sourceArn: this.rearmRule.arn },
      child,
    );
    new aws.cloudwatch.EventTarget(`${name}-rearm-target`, { rule: this.rearmRule.name, arn: this.ventilator.arn }, child);
    // The tick is the ventilator's only asynchronous invocation: a failed or late tick is dropped, the next one comes.
    new aws.lambda.FunctionEventInvokeConfig(
      `${name}-rearm-invoke-config`,
      { functionName: this.ventilator.name, maximumRetryAttempts: 0, maximumEventAgeInSeconds: REARM_TICK_MAX_EVENT_AGE_SECONDS },
      child,
    );

    const actions = args.alarmTopicArn ? [args.alarmTopicArn] : [];
    const specs = alarmSpecs(provider, names, { metricsNamespace: args.metricsNamespace, rearmIntervalMinutes: args.rearmIntervalMinutes });
    const alarm = (key: AlarmKey) => {
      const { name: alarmName, ...spec } = specs[key];
      return new aws.cloudwatch.MetricAlarm(
        `${name}-${key}-alarm`,
        { name: alarmName, ...spec, alarmActions: actions, okActions: actions, tags },
        child,
      );
    };
    this.alarms = {
      breakerOpen: alarm("breakerOpen"),
      dlqNotEmpty: alarm("dlqNotEmpty"),
      iteratorAge: alarm("iteratorAge"),
      heldOff: alarm("heldOff"),
      authFailed: alarm("authFailed"),
    };

    this.dashboard = new aws.cloudwatch.Dashboard(
      `${name}-dashboard`,
      {
        dashboardName: names.dashboard,
        dashboardBody: JSON.stringify(dashboardBody(provider, names, { region: args.region, metricsNamespace: args.metricsNamespace })),
      },
      child,
    );
    this.dashboardUrl = dashboardUrl(args.region, names.dashboard);

    this.registerOutputs({
      streamName: this.stream.name,
      streamArn: this.stream.arn,
      tableName: this.table.name,
      mappingUuid: this.mapping.uuid,
      ventilatorName: this.ventilator.name,
      workerName: this.worker.name,
      deadLetterQueueUrl: this.deadLetterQueue.url,
      dashboardName: this.dashboard.dashboardName,
      dashboardUrl: this.dashboardUrl,
    });
  }

  /** What the stack exports for this provider. */
  outputs() {
    return {
      stream: this.stream.name,
      streamArn: this.stream.arn,
      table: this.table.name,
      mappingUuid: this.mapping.uuid,
      ventilator: this.ventilator.name,
      worker: this.worker.name,
      deadLetterQueue: this.deadLetterQueue.url,
      dashboard: this.dashboard.dashboardName,
      dashboardUrl: this.dashboardUrl,
    };
  }
}
