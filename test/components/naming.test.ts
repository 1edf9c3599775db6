import { expect } from "chai";
import fc from "fast-check";
import { landingBucketPrefix, NAME_LIMITS, physicalName, pipelineNames, sanitize, type PipelineNames } from "../../components/naming";

const LIMIT_OF: Record<keyof PipelineNames, number> = {
  stream: NAME_LIMITS.kinesisStream,
  table: NAME_LIMITS.dynamodbTable,
  ventilator: NAME_LIMITS.lambda,
  worker: NAME_LIMITS.lambda,
  ventilatorRole: NAME_LIMITS.iamRole,
  workerRole: NAME_LIMITS.iamRole,
  dlq: NAME_LIMITS.sqsQueue,
  rearmRule: NAME_LIMITS.eventRule,
  dashboard: NAME_LIMITS.dashboard,
  ventilatorLogGroup: 512,
  workerLogGroup: 512,
  alarmBreakerOpen: NAME_LIMITS.alarm,
  alarmDlqNotEmpty: NAME_LIMITS.alarm,
  alarmIteratorAge: NAME_LIMITS.alarm,
  alarmHeldOff: NAME_LIMITS.alarm,
};

const LONGEST_ID = "a".repeat(31) + "z";
/** Pulumi stack names: letters, digits, '-', '_', '.'; up to 100 characters. */
const stackName = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/);
const providerId = fc.stringMatching(/^[a-z][a-z0-9-]{0,30}[a-z0-9]$/);

describe("components/naming", () => {
  it("names a short pipeline sluice-<stack>-<provider>-<role> in full", () => {
    const names = pipelineNames("dev", "meridian-funds");
    expect(names).to.include({
      stream: "sluice-dev-meridian-funds",
      table: "sluice-dev-meridian-funds-ledger",
      ventilator: "sluice-dev-meridian-funds-ventilator",
      worker: "sluice-dev-meridian-funds-worker",
      dlq: "sluice-dev-meridian-funds-dlq",
      rearmRule: "sluice-dev-meridian-funds-rearm",
      ventilatorLogGroup: "/aws/lambda/sluice-dev-meridian-funds-ventilator",
    });
  });

  for (const [stack, id] of [
    ["dev", "ab"],
    ["production-eu-west-2", LONGEST_ID],
    ["x".repeat(100), LONGEST_ID],
    ["Team.Prod_EU-1", "pacific-registry"],
  ] as const) {
    it(`keeps every name of stack ${stack.length} chars × provider ${id.length} chars within its service's limit`, () => {
      const names = pipelineNames(stack, id);
      for (const [key, value] of Object.entries(names) as [keyof PipelineNames, string][]) {
        expect(value.length, key).to.be.at.most(LIMIT_OF[key]);
        if (!key.endsWith("LogGroup")) expect(value, key).to.match(/^[a-z0-9-]+$/);
      }
    });
  }

  it("ends a shortened name with a hash so long names sharing a prefix stay distinct", () => {
    const a = pipelineNames("x".repeat(60) + "-a", LONGEST_ID).ventilator;
    const b = pipelineNames("x".repeat(60) + "-b", LONGEST_ID).ventilator;
    expect(a).to.have.length(NAME_LIMITS.lambda);
    expect(a).to.match(/-[0-9a-f]{8}$/);
    expect(a).not.to.equal(b);
    expect(pipelineNames("x".repeat(60) + "-a", LONGEST_ID).ventilator).to.equal(a);
  });

  it("sanitizes stack names into lower-case dash-separated words", () => {
    for (const [raw, clean] of [
      ["Prod_EU.1", "prod-eu-1"],
      ["--dev--", "dev"],
      ["a..b", "a-b"],
    ] as const) {
      expect(sanitize(raw)).to.equal(clean);
    }
  });

  it("refuses a limit that leaves no room before the hash", () => {
    expect(() => physicalName(["sluice"], 9)).to.throw(RangeError, /maxLength 9/);
  });

  it("gives every provider of a stack its own names within the limits (property)", () => {
    fc.assert(
      fc.property(stackName, providerId, providerId, (stack, a, b) => {
        fc.pre(a !== b);
        const na = pipelineNames(stack, a);
        const nb = pipelineNames(stack, b);
        for (const key of Object.keys(na) as (keyof PipelineNames)[]) {
          if (na[key].length > LIMIT_OF[key]) return false;
          if (na[key] === nb[key]) return false;
        }
        return na.ventilator !== na.worker && new Set([na.alarmBreakerOpen, na.alarmDlqNotEmpty, na.alarmIteratorAge]).size === 3;
      }),
    );
  });

  it("keeps the landing bucket prefix within S3's limit for any stack", () => {
    fc.assert(
      fc.property(stackName, (stack) => {
        const prefix = landingBucketPrefix(stack);
        return prefix.length <= NAME_LIMITS.bucketPrefix && /^[a-z0-9][a-z0-9-]*-$/.test(prefix);
      }),
    );
    expect(landingBucketPrefix("dev")).to.equal("sluice-dev-landing-");
  });
});
