import { expect } from "chai";
import fc from "fast-check";
import {
  actionsOf,
  landingBucketPolicy,
  arnParts,
  bucketArn,
  lambdaAssumeRolePolicy,
  resourcesOf,
  secretArn,
  ventilatorMappingPolicy,
  ventilatorPolicy,
  workerPolicy,
  type PolicyDocument,
} from "../../components/iam";

const where = { partition: "aws", region: "eu-west-2", account: "123456789012" };
const own = {
  streamArn: "arn:aws:kinesis:eu-west-2:123456789012:stream/sluice-dev-demo",
  tableArn: "arn:aws:dynamodb:eu-west-2:123456789012:table/sluice-dev-demo-ledger",
  workerArn: "arn:aws:lambda:eu-west-2:123456789012:function:sluice-dev-demo-worker",
  dlqArn: "arn:aws:sqs:eu-west-2:123456789012:sluice-dev-demo-dlq",
  logGroupArn: "arn:aws:logs:eu-west-2:123456789012:log-group:/aws/lambda/sluice-dev-demo-ventilator",
};
const ventilatorArn = "arn:aws:lambda:eu-west-2:123456789012:function:sluice-dev-demo-ventilator";

function noWildcardActions(doc: PolicyDocument): void {
  for (const action of actionsOf(doc)) expect(action, action).not.to.include("*");
}

describe("components/iam", () => {
  it("lets only Lambda assume the roles", () => {
    expect(lambdaAssumeRolePolicy().Statement).to.deep.equal([
      { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
    ]);
  });

  it("grants the ventilator its own stream, queue, ledger, worker and logs, and nothing else", () => {
    const doc = ventilatorPolicy(own);
    noWildcardActions(doc);
    const allowed = new Set([own.streamArn, own.tableArn, own.workerArn, own.dlqArn, `${own.logGroupArn}:*`, "*"]);
    for (const resource of resourcesOf(doc)) expect(allowed.has(resource), resource).to.equal(true);
    const byResource = (arn: string) => doc.Statement.filter((s) => s.Resource.includes(arn)).flatMap((s) => s.Action);
    expect(byResource(own.workerArn)).to.deep.equal(["lambda:InvokeFunction"]);
    expect(byResource(own.dlqArn)).to.deep.equal(["sqs:SendMessage"]);
    expect(byResource(own.streamArn)).to.include.members(["kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:DescribeStream", "kinesis:ListShards"]);
    expect(byResource(own.tableArn)).to.have.members(["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]);
    // No scans, no table operations, and no Query: only `sluice` (the operator) lists the audit and the dead records.
    expect(byResource(own.tableArn).filter((a) => /Scan|Table|Describe|Query/.test(a))).to.deep.equal([]);
  });

  it("lets the ventilator update only the mappings that invoke it, without naming the mapping (so the policy can exist first)", () => {
    const doc = ventilatorMappingPolicy({ functionArn: ventilatorArn, where });
    noWildcardActions(doc);
    const mappings = "arn:aws:lambda:eu-west-2:123456789012:event-source-mapping:*";
    const update = doc.Statement.filter((s) => s.Action.includes("lambda:UpdateEventSourceMapping"));
    expect(update).to.deep.equal([
      { Sid: "ControlOwnMapping", Effect: "Allow", Action: ["lambda:UpdateEventSourceMapping"], Resource: [mappings], Condition: { ArnEquals: { "lambda:FunctionArn": ventilatorArn } } },
    ]);
    expect(doc.Statement.find((s) => s.Action.includes("lambda:GetEventSourceMapping"))!.Resource).to.deep.equal([mappings]);
    const star = doc.Statement.filter((s) => s.Resource.includes("*"));
    expect(star.flatMap((s) => s.Action)).to.deep.equal(["lambda:ListEventSourceMappings"]);
  });

  it("grants the mapping's execution role every stream action its create path names, ListStreams on '*' (it has no resource)", () => {
    const doc = ventilatorPolicy(own);
    const on = (resource: string) => doc.Statement.filter((s) => s.Resource.includes(resource)).flatMap((s) => s.Action);
    expect(on(own.streamArn)).to.have.members(["kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:ListShards"]);
    expect(on("*")).to.deep.equal(["kinesis:ListStreams"]);
  });

  it("grants a chaos worker its logs and reads and updates of its own ledger's record items only", () => {
    const doc = workerPolicy({ logGroupArn: "arn:aws:logs:eu-west-2:1:log-group:/aws/lambda/w", tableArn: own.tableArn });
    expect(actionsOf(doc)).to.deep.equal(["logs:CreateLogStream", "logs:PutLogEvents", "dynamodb:GetItem", "dynamodb:UpdateItem"]);
    expect(resourcesOf(doc)).to.deep.equal(["arn:aws:logs:eu-west-2:1:log-group:/aws/lambda/w:*", own.tableArn]);
    // Record items are keyed R#<id> (runtime/ledger/layout.ts): not the pipeline state, counters, audit or dead index.
    const ledger = doc.Statement.find((s) => s.Resource.includes(own.tableArn))!;
    expect(ledger.Condition).to.deep.equal({ "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["R#*"] } });
  });

  it("lets a worker generate data keys with its landing bucket's customer-managed key, for that bucket only", () => {
    const key = "arn:aws:kms:eu-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const doc = workerPolicy({
      logGroupArn: "arn:aws:logs:eu-west-2:1:log-group:/aws/lambda/w",
      tableArn: own.tableArn,
      landing: { bucketArn: bucketArn("landing", "aws"), prefix: "meridian-funds/", kmsKeyArn: key },
    });
    noWildcardActions(doc);
    expect(doc.Statement.find((s) => s.Sid === "LandingKey")).to.deep.equal({
      Sid: "LandingKey",
      Effect: "Allow",
      Action: ["kms:GenerateDataKey"],
      Resource: [key],
      Condition: { StringLike: { "kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::landing/*" } },
    });
    expect(workerPolicy({ logGroupArn: "l", tableArn: own.tableArn, landing: { bucketArn: bucketArn("landing", "aws"), prefix: "p/" } }).Statement.map((s) => s.Sid)).not.to.include("LandingKey");
  });

  it("the landing bucket refuses any request that does not come over TLS", () => {
    expect(landingBucketPolicy("arn:aws:s3:::landing")).to.deep.equal({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "TlsOnly",
          Effect: "Deny",
          Principal: "*",
          Action: ["s3:*"],
          Resource: ["arn:aws:s3:::landing", "arn:aws:s3:::landing/*"],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ],
    });
  });

  it("grants an http worker its own secret and its own prefix of the landing bucket", () => {
    const doc = workerPolicy({
      logGroupArn: "arn:aws:logs:eu-west-2:1:log-group:/aws/lambda/w",
      tableArn: own.tableArn,
      secretArns: [secretArn("sluice/meridian-funds/api-key", where)],
      landing: { bucketArn: bucketArn("landing", "aws"), prefix: "meridian-funds/" },
    });
    noWildcardActions(doc);
    expect(doc.Statement.find((s) => s.Sid === "OwnCredential")).to.deep.include({
      Action: ["secretsmanager:GetSecretValue"],
      Resource: ["arn:aws:secretsmanager:eu-west-2:123456789012:secret:sluice/meridian-funds/api-key-??????"],
    });
    expect(doc.Statement.find((s) => s.Sid === "LandOwnObjects")).to.deep.include({
      Action: ["s3:PutObject"],
      Resource: ["arn:aws:s3:::landing/meridian-funds/*"],
    });
  });

  it("keeps a secret given as a full ARN as it is", () => {
    const arn = "arn:aws:secretsmanager:us-east-1:999999999999:secret:shared-AbCdEf";
    expect(secretArn(arn, where)).to.equal(arn);
  });

  it("reads partition, region and account from an ARN and refuses anything else", () => {
    expect(arnParts(own.streamArn)).to.deep.equal({ partition: "aws", service: "kinesis", region: "eu-west-2", account: "123456789012" });
    expect(arnParts("arn:aws-cn:s3:::bucket")).to.include({ partition: "aws-cn", region: "" });
    expect(() => arnParts("sluice-dev-demo")).to.throw(RangeError, /not an ARN/);
  });

  it("references only the ARNs it is given, whatever they are (property)", () => {
    const arn = fc.stringMatching(/^arn:aws:[a-z]{2,10}:[a-z0-9-]{0,12}:\d{12}:[A-Za-z0-9/_-]{1,40}$/);
    fc.assert(
      fc.property(fc.record({ streamArn: arn, tableArn: arn, workerArn: arn, dlqArn: arn, logGroupArn: arn }), arn, (arns, functionArn) => {
        const mappings = `arn:${where.partition}:lambda:${where.region}:${where.account}:event-source-mapping:*`;
        const given = new Set([...Object.values(arns), `${arns.logGroupArn}:*`, mappings, "*"]);
        const docs = [ventilatorPolicy(arns), ventilatorMappingPolicy({ functionArn, where })];
        return docs.every((d) => resourcesOf(d).every((r) => given.has(r)) && actionsOf(d).every((a) => !a.includes("*")));
      }),
    );
  });
});
