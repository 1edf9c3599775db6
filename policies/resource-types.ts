/**
 * Pulumi type tokens the policies look at. Strings rather than
 * `validateResourceOfType(aws.kinesis.Stream, …)`: importing @pulumi/aws into
 * the pack would make Pulumi's ts-node load (and type-check against) the whole
 * AWS SDK declaration tree each time the pack starts.
 */
export const TYPE = {
  /** components/provider-pipeline.ts PROVIDER_PIPELINE_TYPE (a test keeps the two equal). */
  PIPELINE: "sluice:index:ProviderPipeline",
  STREAM: "aws:kinesis/stream:Stream",
  MAPPING: "aws:lambda/eventSourceMapping:EventSourceMapping",
  FUNCTION: "aws:lambda/function:Function",
  INVOKE_CONFIG: "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
  TABLE: "aws:dynamodb/table:Table",
  LOG_GROUP: "aws:cloudwatch/logGroup:LogGroup",
  ROLE: "aws:iam/role:Role",
  ROLE_POLICY: "aws:iam/rolePolicy:RolePolicy",
  POLICY: "aws:iam/policy:Policy",
  STACK: "pulumi:pulumi:Stack",
} as const;
