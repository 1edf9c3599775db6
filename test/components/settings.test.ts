import { expect } from "chai";
import { readStackSettings, STACK_DEFAULTS, StackConfigError } from "../../components/settings";

const source = (values: Record<string, string>, region: string | undefined = "eu-west-2") => ({
  stack: "dev",
  region,
  get: (key: string) => values[key],
});

describe("components/settings", () => {
  it("fills the documented defaults", () => {
    expect(readStackSettings(source({}))).to.deep.equal({
      stack: "dev",
      region: "eu-west-2",
      catalogPath: "providers.json",
      rearmIntervalMinutes: 10,
      logRetentionDays: 30,
      metricsNamespace: "Sluice",
      accountConcurrencyLimit: 1_000,
    });
    expect(STACK_DEFAULTS.rearmIntervalMinutes).to.equal(10);
  });

  it("reads every key", () => {
    const settings = readStackSettings(
      source({
        catalog: "catalogs/prod.json",
        rearmIntervalMinutes: "5",
        logRetentionDays: "90",
        alarmTopicArn: "arn:aws:sns:eu-west-2:123456789012:sluice-alarms",
        metricsNamespace: "Sluice/prod",
        accountConcurrencyLimit: "3000",
      }),
    );
    expect(settings).to.deep.include({
      catalogPath: "catalogs/prod.json",
      rearmIntervalMinutes: 5,
      logRetentionDays: 90,
      alarmTopicArn: "arn:aws:sns:eu-west-2:123456789012:sluice-alarms",
      metricsNamespace: "Sluice/prod",
      accountConcurrencyLimit: 3_000,
    });
  });

  for (const [values, region, expected] of [
    [{}, " ", /aws:region is not set/],
    [{ rearmIntervalMinutes: "0" }, "eu-west-2", /sluice:rearmIntervalMinutes "0" must be a whole number from 1 to 1440/],
    [{ rearmIntervalMinutes: "ten" }, "eu-west-2", /sluice:rearmIntervalMinutes "ten"/],
    [{ logRetentionDays: "10" }, "eu-west-2", /sluice:logRetentionDays 10 is not a CloudWatch Logs retention/],
    [{ alarmTopicArn: "sluice-alarms" }, "eu-west-2", /sluice:alarmTopicArn "sluice-alarms" is not an SNS topic ARN/],
    [{ metricsNamespace: "AWS/Lambda" }, "eu-west-2", /sluice:metricsNamespace "AWS\/Lambda" is not a custom CloudWatch namespace/],
    [{ accountConcurrencyLimit: "1.5" }, "eu-west-2", /sluice:accountConcurrencyLimit "1.5" must be a whole number from 1 to 10000000/],
    [{ accountConcurrencyLimit: "0" }, "eu-west-2", /sluice:accountConcurrencyLimit "0"/],
  ] as const) {
    it(`refuses ${JSON.stringify(values)} (region ${region}) naming the key`, () => {
      expect(() => readStackSettings(source(values, region))).to.throw(StackConfigError, expected);
    });
  }

  it("reports every bad key at once", () => {
    try {
      readStackSettings(source({ rearmIntervalMinutes: "-1", logRetentionDays: "2" }, ""));
      expect.fail("expected a StackConfigError");
    } catch (err) {
      expect((err as StackConfigError).problems).to.have.length(3);
    }
  });
});
