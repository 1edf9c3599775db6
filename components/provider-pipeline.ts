/**
 * One provider's pipeline: stream → ventilator → worker → provider, with its
 * ledger, dead-letter queue, re-arm schedule, logs, alarms and dashboard.
 * The component only wires: it checks its arguments before any child exists,
 * then runs one named builder per part (components/pipeline/), each creating
 * its children parented to the component and named from its name.
 */
import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AlarmKey } from "./alarms";
import type { PipelineNames } from "./naming";
import { buildAlarms, buildDashboard } from "./pipeline/alarms";
import { pipelineArgProblems, ProviderPipelineError, type ProviderPipelineArgs } from "./pipeline/args";
import { pipelineContext } from "./pipeline/context";
import { buildFunctions } from "./pipeline/functions";
import { buildLedger } from "./pipeline/ledger";
import { buildMapping } from "./pipeline/mapping";
import { buildSchedule } from "./pipeline/schedule";
import { buildStream } from "./pipeline/stream";

export { pipelineArgProblems, ProviderPipelineError, type ProviderPipelineArgs } from "./pipeline/args";

export const PROVIDER_PIPELINE_TYPE = "sluice:index:ProviderPipeline";

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

    const ctx = pipelineContext(name, args, this);
    this.names = ctx.names;
    this.stream = buildStream(ctx);
    const ledger = buildLedger(ctx);
    this.table = ledger.table;
    this.deadLetterQueue = ledger.deadLetterQueue;
    const functions = buildFunctions(ctx, this.stream, ledger);
    this.worker = functions.worker;
    this.ventilator = functions.ventilator;
    this.mapping = buildMapping(ctx, this.stream, ledger, functions);
    this.rearmRule = buildSchedule(ctx, this.ventilator);
    this.alarms = buildAlarms(ctx);
    const dashboard = buildDashboard(ctx);
    this.dashboard = dashboard.dashboard;
    this.dashboardUrl = dashboard.url;

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
