/**
 * IAM policy documents of a pipeline, as pure functions of the ARNs they may
 * touch. Least privilege: every action is named (no wildcards in actions) and
 * every resource is one of the provider's own, with the exceptions AWS forces:
 * lambda:ListEventSourceMappings and kinesis:ListStreams have no
 * resource-level permission, so they are granted on "*" (they list, they cannot
 * change anything), and the mapping is named by the function it invokes (see
 * ventilatorMappingPolicy).
 */

export interface PolicyStatement {
  Sid: string;
  Effect: "Allow" | "Deny";
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string | string[]>>;
  Principal?: "*" | { AWS: string | string[] };
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

export interface AssumeRoleDocument {
  Version: "2012-10-17";
  Statement: { Effect: "Allow"; Principal: { Service: string }; Action: "sts:AssumeRole" }[];
}

const VERSION = "2012-10-17" as const;

/** Lets the Lambda service run a function with the role. */
export function lambdaAssumeRolePolicy(): AssumeRoleDocument {
  return {
    Version: VERSION,
    Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
  };
}

/** Writing to the function's own log group (created by the component, so no CreateLogGroup). */
function logsStatement(logGroupArn: string): PolicyStatement {
  return { Sid: "OwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [`${logGroupArn}:*`] };
}

/**
 * The item operations the ventilator's ledger calls make, and nothing more (no scans, no
 * queries, no table operations): Query lists the audit and the dead records, which only the
 * `sluice` command does, with the operator's own credentials.
 */
export const LEDGER_ACTIONS = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"] as const;

/** What the worker's guard does to the ledger: complete a record, keep a body for landing, read it back. */
export const WORKER_LEDGER_ACTIONS = ["dynamodb:GetItem", "dynamodb:UpdateItem"] as const;

/**
 * Record items only (partition key R#<record id>, runtime/ledger/layout.ts): a worker can
 * neither touch the pipeline state nor the daily counters, the audit or the dead index.
 */
export const RECORD_ITEMS_CONDITION = { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["R#*"] } };

/** What the Kinesis event source mapping needs from the function's role to read the stream. */
export const STREAM_READ_ACTIONS = [
  "kinesis:DescribeStream",
  "kinesis:DescribeStreamSummary",
  "kinesis:GetRecords",
  "kinesis:GetShardIterator",
  "kinesis:ListShards",
] as const;

export interface VentilatorArns {
  streamArn: string;
  tableArn: string;
  workerArn: string;
  dlqArn: string;
  logGroupArn: string;
}

/**
 * The ventilator's base policy: read its stream, send failed-batch metadata to
 * its dead-letter queue, use its ledger, invoke its worker, write its logs.
 * Attached before the mapping is created: AWS checks the stream permissions then.
 */
export function ventilatorPolicy(arns: VentilatorArns): PolicyDocument {
  return {
    Version: VERSION,
    Statement: [
      { Sid: "ReadOwnStream", Effect: "Allow", Action: [...STREAM_READ_ACTIONS], Resource: [arns.streamArn] },
      // The mapping's create path lists streams too; ListStreams has no resource to scope it to.
      { Sid: "ListStreams", Effect: "Allow", Action: ["kinesis:ListStreams"], Resource: ["*"] },
      { Sid: "OnFailureDestination", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [arns.dlqArn] },
      { Sid: "OwnLedger", Effect: "Allow", Action: [...LEDGER_ACTIONS], Resource: [arns.tableArn] },
      { Sid: "InvokeOwnWorker", Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: [arns.workerArn] },
      logsStatement(arns.logGroupArn),
    ],
  };
}

/**
 * The ventilator's control of its own mapping (the breaker and the mapping batch size).
 * It must be attached before the mapping exists (the first batch already
 * updates it), so it cannot name the mapping's UUID: updates are allowed on
 * the mappings whose `lambda:FunctionArn` is the ventilator's own, reads on
 * any mapping of the account and Region (Get shows what List already lists).
 * The function finds its mapping by listing (no UUID in its environment,
 * which would make the function depend on its own mapping).
 */
export function ventilatorMappingPolicy(own: { functionArn: string; where: { partition: string; region: string; account: string } }): PolicyDocument {
  const { partition, region, account } = own.where;
  const mappings = `arn:${partition}:lambda:${region}:${account}:event-source-mapping:*`;
  return {
    Version: VERSION,
    Statement: [
      {
        Sid: "ControlOwnMapping",
        Effect: "Allow",
        Action: ["lambda:UpdateEventSourceMapping"],
        Resource: [mappings],
        Condition: { ArnEquals: { "lambda:FunctionArn": own.functionArn } },
      },
      { Sid: "ReadMappings", Effect: "Allow", Action: ["lambda:GetEventSourceMapping"], Resource: [mappings] },
      { Sid: "FindOwnMapping", Effect: "Allow", Action: ["lambda:ListEventSourceMappings"], Resource: ["*"] },
    ],
  };
}

export interface WorkerGrants {
  logGroupArn: string;
  /** The ledger table, where the worker's guard marks a fetched record done (one conditional update). */
  tableArn: string;
  /** Contract workers (http, a provider's own): the secrets they read. */
  secretArns?: readonly string[];
  /** http workers: where bodies land, only under the provider's own prefix; with the bucket's customer-managed key, if it has one. */
  landing?: { bucketArn: string; prefix: string; kmsKeyArn?: string };
}

export function workerPolicy(grants: WorkerGrants): PolicyDocument {
  const statements: PolicyStatement[] = [
    logsStatement(grants.logGroupArn),
    { Sid: "CompleteOwnRecords", Effect: "Allow", Action: [...WORKER_LEDGER_ACTIONS], Resource: [grants.tableArn], Condition: RECORD_ITEMS_CONDITION },
  ];
  if (grants.secretArns !== undefined && grants.secretArns.length > 0) {
    statements.push({ Sid: "OwnCredential", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: [...grants.secretArns] });
  }
  if (grants.landing !== undefined) {
    statements.push({
      Sid: "LandOwnObjects",
      Effect: "Allow",
      Action: ["s3:PutObject"],
      Resource: [`${grants.landing.bucketArn}/${grants.landing.prefix}*`],
    });
    if (grants.landing.kmsKeyArn !== undefined) statements.push(landingKeyStatement(grants.landing.kmsKeyArn, grants.landing.bucketArn));
  }
  return { Version: VERSION, Statement: statements };
}

/**
 * A landing bucket encrypted with a customer-managed key: PutObject needs a data key from it,
 * and only through S3 for that bucket.
 */
function landingKeyStatement(kmsKeyArn: string, bucketArn: string): PolicyStatement {
  return {
    Sid: "LandingKey",
    Effect: "Allow",
    Action: ["kms:GenerateDataKey"],
    Resource: [kmsKeyArn],
    Condition: { StringLike: { "kms:EncryptionContext:aws:s3:arn": `${bucketArn}/*` } },
  };
}

/** The landing bucket refuses every request that does not come over TLS. */
export function landingBucketPolicy(bucketArnValue: string): PolicyDocument {
  return {
    Version: VERSION,
    Statement: [
      {
        Sid: "TlsOnly",
        Effect: "Deny",
        Principal: "*",
        Action: ["s3:*"],
        Resource: [bucketArnValue, `${bucketArnValue}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  };
}

/** partition, service, region and account of an ARN (`arn:partition:service:region:account:resource`). */
export function arnParts(arn: string): { partition: string; service: string; region: string; account: string } {
  const parts = arn.split(":");
  if (parts.length < 6 || parts[0] !== "arn") throw new RangeError(`not an ARN: ${JSON.stringify(arn)}`);
  return { partition: parts[1]!, service: parts[2]!, region: parts[3]!, account: parts[4]! };
}

/**
 * ARN of a Secrets Manager secret from the catalog's secretId. A full ARN is
 * kept; a name gets AWS's random 6-character suffix as `-??????`, which matches
 * that one secret and not `<name>-other`.
 */
export function secretArn(secretId: string, where: { partition: string; region: string; account: string }): string {
  if (secretId.startsWith("arn:")) return secretId;
  return `arn:${where.partition}:secretsmanager:${where.region}:${where.account}:secret:${secretId}-??????`;
}

export function bucketArn(bucket: string, partition: string): string {
  return `arn:${partition}:s3:::${bucket}`;
}

/** Every action of a document; tests and policies check none is a wildcard. */
export function actionsOf(doc: PolicyDocument): string[] {
  return doc.Statement.flatMap((s) => s.Action);
}

/** Every resource of a document. */
export function resourcesOf(doc: PolicyDocument): string[] {
  return doc.Statement.flatMap((s) => s.Resource);
}
