/**
 * The two Lambda functions and their logs and roles:
 *  - the worker calls the provider; its reserved concurrency is the provider's
 *    cap as a hard AWS-side ceiling, whatever the ventilator does; it may write
 *    its logs and ledger and (http or its own module) read its secrets and
 *    write its own prefix of the landing bucket (worker-access.ts);
 *  - the ventilator fans batches out to the worker; one reserved instance per
 *    batch in flight (shards × parallelization factor) and one for the re-arm
 *    tick. Its stream, ledger, worker and DLQ grants exist before the mapping
 *    (AWS checks the stream grants on creation).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { LAMBDA_HANDLER } from "../bundle";
import { ventilatorEnvironment, workerEnvironment } from "../environment";
import { workerAccess } from "../worker-access";
import { arnParts, bucketArn, lambdaAssumeRolePolicy, secretArn, ventilatorPolicy, workerPolicy } from "../iam";
import { ventilatorReservedConcurrency, ventilatorTimeoutSeconds, workerLambdaTimeoutSeconds, workerReservedConcurrency } from "../sizing";
import type { PipelineContext } from "./context";
import type { PipelineLedger } from "./ledger";

export const LAMBDA_RUNTIME = "nodejs22.x";
export const LAMBDA_ARCHITECTURE = "arm64";
/** The ventilator waits on workers and the ledger; it computes little. */
export const VENTILATOR_MEMORY_MB = 256;

export interface PipelineFunctions {
  worker: aws.lambda.Function;
  ventilator: aws.lambda.Function;
  ventilatorRole: aws.iam.Role;
  /** The ventilator's stream, ledger, worker and DLQ grants. */
  ventilatorStreamGrants: aws.iam.RolePolicy;
}

export function buildFunctions(ctx: PipelineContext, stream: aws.kinesis.Stream, ledger: PipelineLedger): PipelineFunctions {
  const { name, names, args, tags, child } = ctx;
  const logGroup = (suffix: string, groupName: string) =>
    new aws.cloudwatch.LogGroup(`${name}-${suffix}-logs`, { name: groupName, retentionInDays: args.logRetentionDays, tags }, child);
  const workerLogs = logGroup("worker", names.workerLogGroup);
  const ventilatorLogs = logGroup("ventilator", names.ventilatorLogGroup);
  const assumeRolePolicy = JSON.stringify(lambdaAssumeRolePolicy());
  const worker = buildWorker(ctx, stream, ledger, workerLogs, assumeRolePolicy);
  return { worker, ...buildVentilator(ctx, stream, ledger, worker, ventilatorLogs, assumeRolePolicy) };
}

function buildVentilator(
  ctx: PipelineContext,
  stream: aws.kinesis.Stream,
  ledger: PipelineLedger,
  worker: aws.lambda.Function,
  ventilatorLogs: aws.cloudwatch.LogGroup,
  assumeRolePolicy: string,
): Omit<PipelineFunctions, "worker"> {
  const { name, names, args, tags, child } = ctx;
  const ventilatorRole = new aws.iam.Role(`${name}-ventilator-role`, { name: names.ventilatorRole, assumeRolePolicy, tags }, child);
  const ventilatorStreamGrants = new aws.iam.RolePolicy(
    `${name}-ventilator-policy`,
    {
      role: ventilatorRole.id,
      policy: pulumi
        .all([stream.arn, ledger.table.arn, worker.arn, ledger.deadLetterQueue.arn, ventilatorLogs.arn])
        .apply(([streamArn, tableArn, workerArn, dlqArn, logGroupArn]) => JSON.stringify(ventilatorPolicy({ streamArn, tableArn, workerArn, dlqArn, logGroupArn }))),
    },
    child,
  );
  const ventilator = new aws.lambda.Function(
    `${name}-ventilator`,
    {
      name: names.ventilator,
      description: `sluice ${ctx.provider.id}: ventilator (adaptive fan-out, breaker, ledger)`,
      role: ventilatorRole.arn,
      runtime: LAMBDA_RUNTIME,
      architectures: [LAMBDA_ARCHITECTURE],
      handler: LAMBDA_HANDLER,
      code: args.code.ventilator,
      timeout: ventilatorTimeoutSeconds(ctx.provider),
      memorySize: VENTILATOR_MEMORY_MB,
      reservedConcurrentExecutions: ventilatorReservedConcurrency(ctx.provider),
      environment: {
        variables: pulumi
          .all([ledger.table.name, stream.arn, worker.name])
          .apply(([tableName, streamArn, workerFunctionName]) =>
            ventilatorEnvironment(ctx.provider, { tableName, streamArn, workerFunctionName, metricsNamespace: args.metricsNamespace }),
          ),
      },
      loggingConfig: { logFormat: "Text", logGroup: ventilatorLogs.name },
      tags: { ...tags, ...ctx.budgeted },
    },
    { ...child, dependsOn: [ventilatorLogs, ventilatorStreamGrants] },
  );
  return { ventilator, ventilatorRole, ventilatorStreamGrants };
}

function buildWorker(
  { name, names, provider, args, tags, contract, budgeted, child }: PipelineContext,
  stream: aws.kinesis.Stream,
  { table }: PipelineLedger,
  logs: aws.cloudwatch.LogGroup,
  assumeRolePolicy: string,
): aws.lambda.Function {
  const role = new aws.iam.Role(`${name}-worker-role`, { name: names.workerRole, assumeRolePolicy, tags }, child);
  const access = workerAccess(provider, args.landingBucket, args.landingKmsKeyArn);
  const bucket: pulumi.Input<string> | undefined = access.bucket;
  const grants = pulumi.all([logs.arn, stream.arn, table.arn, bucket]).apply(([logGroupArn, streamArn, tableArn, landing]) => {
    const where = arnParts(streamArn);
    return JSON.stringify(
      workerPolicy({
        logGroupArn,
        tableArn,
        secretArns: access.secretIds.map((id) => secretArn(id, where)),
        ...(landing ? { landing: { bucketArn: bucketArn(landing, where.partition), prefix: `${provider.id}/`, ...(access.kmsKeyArn !== undefined ? { kmsKeyArn: access.kmsKeyArn } : {}) } } : {}),
      }),
    );
  });
  const rolePolicy = new aws.iam.RolePolicy(`${name}-worker-policy`, { role: role.id, policy: grants }, child);
  return new aws.lambda.Function(
    `${name}-worker`,
    {
      name: names.worker,
      description: `sluice ${provider.id}: ${provider.worker.module} worker`.slice(0, 256),
      role: role.arn,
      runtime: LAMBDA_RUNTIME,
      architectures: [LAMBDA_ARCHITECTURE],
      handler: LAMBDA_HANDLER,
      code: args.code.worker,
      timeout: workerLambdaTimeoutSeconds(provider),
      memorySize: provider.worker.memoryMb,
      reservedConcurrentExecutions: workerReservedConcurrency(provider),
      environment: {
        variables: pulumi.all([table.name, bucket]).apply(([tableName, landing]) => workerEnvironment(provider, { tableName, ...(landing ? { bucket: landing } : {}) })),
      },
      loggingConfig: { logFormat: "Text", logGroup: logs.name },
      tags: { ...contract, ...budgeted },
    },
    { ...child, dependsOn: [logs, rolePolicy] },
  );
}
