/**
 * The re-arm schedule: an EventBridge rule that invokes the ventilator every
 * rearmIntervalMinutes to re-arm the breaker and reconcile the mapping. It is
 * off while the provider is disabled, so a tick cannot turn a disabled
 * provider's mapping back on.
 */
import * as aws from "@pulumi/aws";
import { rateExpression, REARM_TICK_MAX_EVENT_AGE_SECONDS } from "../sizing";
import type { PipelineContext } from "./context";

export function buildSchedule({ name, names, provider, args, tags, child }: PipelineContext, ventilator: aws.lambda.Function): aws.cloudwatch.EventRule {
  const rule = new aws.cloudwatch.EventRule(
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
    { action: "lambda:InvokeFunction", function: ventilator.name, principal: "events.amazonaws.com", sourceArn: rule.arn },
    child,
  );
  new aws.cloudwatch.EventTarget(`${name}-rearm-target`, { rule: rule.name, arn: ventilator.arn }, child);
  // The tick is the ventilator's only asynchronous invocation: a failed or late tick is dropped, the next one comes.
  new aws.lambda.FunctionEventInvokeConfig(
    `${name}-rearm-invoke-config`,
    { functionName: ventilator.name, maximumRetryAttempts: 0, maximumEventAgeInSeconds: REARM_TICK_MAX_EVENT_AGE_SECONDS },
    child,
  );
  return rule;
}
