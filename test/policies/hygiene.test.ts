/** The four advisory hygiene policies: a clean and a violating resource each. */
import { expect } from "chai";
import { ventilatorMappingPolicy, ventilatorPolicy, workerPolicy } from "../../components/iam";
import { IAM_NO_WILDCARD_ACTIONS, iamNoWildcardActionsPolicy, wildcardGrants } from "../../policies/hygiene-iam-actions";
import { LOG_RETENTION, logRetentionPolicy } from "../../policies/hygiene-log-retention";
import { STREAM_ENCRYPTED, streamEncryptedPolicy } from "../../policies/hygiene-stream-encryption";
import { TABLE_PROTECTED, tableProtectedPolicy } from "../../policies/hygiene-table-protection";
import { TYPE } from "../../policies/resource-types";
import { check, resource, UNKNOWN } from "./harness";

const messages = async (policy: Parameters<typeof check>[0], props: Record<string, unknown>, type: string) =>
  (await check(policy, [resource(type, "r", props)])).violations.map((v) => v.message);

describe("policies/hygiene", () => {
  it("are advisory", () => {
    for (const p of [streamEncryptedPolicy(), tableProtectedPolicy(), logRetentionPolicy(), iamNoWildcardActionsPolicy()]) {
      expect(p.enforcementLevel, p.name).to.equal("advisory");
    }
  });

  describe(STREAM_ENCRYPTED, () => {
    it("passes a KMS-encrypted stream", async () => {
      expect(await messages(streamEncryptedPolicy(), { encryptionType: "KMS", kmsKeyId: "alias/aws/kinesis" }, TYPE.STREAM)).to.deep.equal([]);
    });
    it("flags an unencrypted stream", async () => {
      expect(await messages(streamEncryptedPolicy(), { shardCount: 1 }, TYPE.STREAM)).to.deep.equal([`encryptionType is "NONE", not "KMS"`]);
    });
    it("flags KMS without a key", async () => {
      expect(await messages(streamEncryptedPolicy(), { encryptionType: "KMS" }, TYPE.STREAM)).to.deep.equal([`encryptionType is "KMS" but no kmsKeyId names the key`]);
    });
  });

  describe(TABLE_PROTECTED, () => {
    const good = { serverSideEncryption: { enabled: true }, ttl: { attributeName: "expiresAt", enabled: true }, pointInTimeRecovery: { enabled: true }, deletionProtectionEnabled: true };
    it("passes a table with SSE, TTL, PITR and deletion protection", async () => {
      expect(await messages(tableProtectedPolicy(), good, TYPE.TABLE)).to.deep.equal([]);
    });
    it("flags each protection that is off", async () => {
      expect(await messages(tableProtectedPolicy(), { ttl: { enabled: true } }, TYPE.TABLE)).to.deep.equal([
        "serverSideEncryption is not enabled (only the AWS-owned key, which the account cannot audit)",
        "ttl is not enabled with an attributeName: expired ledger items are never removed",
        "pointInTimeRecovery is not enabled: a damaged ledger cannot be restored",
        "deletionProtectionEnabled is not true: removing the provider, or one mistaken delete, destroys its ledger",
      ]);
    });
  });

  describe(LOG_RETENTION, () => {
    it("passes a log group with a retention", async () => {
      expect(await messages(logRetentionPolicy(), { retentionInDays: 30 }, TYPE.LOG_GROUP)).to.deep.equal([]);
    });
    it("flags a log group kept forever", async () => {
      expect(await messages(logRetentionPolicy(), { name: "/aws/lambda/x" }, TYPE.LOG_GROUP)).to.deep.equal(["retentionInDays is not set: the logs are kept forever"]);
      expect(await messages(logRetentionPolicy(), { retentionInDays: 0 }, TYPE.LOG_GROUP)).to.have.length(1);
    });
  });

  describe(IAM_NO_WILDCARD_ACTIONS, () => {
    const arns = {
      streamArn: "arn:aws:kinesis:eu-west-2:1:stream/s",
      tableArn: "arn:aws:dynamodb:eu-west-2:1:table/t",
      workerArn: "arn:aws:lambda:eu-west-2:1:function:w",
      dlqArn: "arn:aws:sqs:eu-west-2:1:q",
      logGroupArn: "arn:aws:logs:eu-west-2:1:log-group:l",
    };

    it("passes the component's own policies, including the one '*' resource AWS forces", () => {
      expect(wildcardGrants(JSON.stringify(ventilatorPolicy(arns)))).to.deep.equal([]);
      expect(wildcardGrants(ventilatorMappingPolicy({ functionArn: arns.workerArn, where: { partition: "aws", region: "eu-west-2", account: "1" } }))).to.deep.equal([]);
      expect(wildcardGrants(workerPolicy({ logGroupArn: arns.logGroupArn, tableArn: arns.tableArn }))).to.deep.equal([]);
    });

    it("flags wildcard actions on data and Allow with NotAction, per statement", async () => {
      const doc = {
        Version: "2012-10-17",
        Statement: [
          { Sid: "Ledger", Effect: "Allow", Action: ["dynamodb:*"], Resource: ["arn:aws:dynamodb:eu-west-2:1:table/t"] },
          { Effect: "Allow", Action: "kinesis:Get*", Resource: "*" },
          { Sid: "NoDelete", Effect: "Deny", Action: "s3:*", Resource: "*" },
          { Sid: "AllBut", Effect: "Allow", NotAction: ["iam:*"], Resource: "*" },
        ],
      };
      expect(await messages(iamNoWildcardActionsPolicy(), { role: "r", policy: JSON.stringify(doc) }, TYPE.ROLE_POLICY)).to.deep.equal([
        `statement Ledger allows wildcard actions "dynamodb:*"`,
        `statement #2 allows wildcard actions "kinesis:Get*"`,
        `statement AllBut allows everything except its NotAction list`,
      ]);
    });

    it("reads a role's inline policies and managed policies too", async () => {
      const star = JSON.stringify({ Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] });
      expect(await messages(iamNoWildcardActionsPolicy(), { inlinePolicies: [{ name: "x", policy: star }] }, TYPE.ROLE)).to.have.length(1);
      expect(await messages(iamNoWildcardActionsPolicy(), { policy: star }, TYPE.POLICY)).to.deep.equal([`statement #1 allows wildcard actions "*"`]);
    });

    it("leaves a policy built from unknown ARNs to the update", async () => {
      expect(await messages(iamNoWildcardActionsPolicy(), { role: "r", policy: UNKNOWN.string }, TYPE.ROLE_POLICY)).to.deep.equal([]);
    });
  });
});
