/**
 * What an operator watches: one CloudWatch alarm per alarm spec (../alarms,
 * notifying alarmTopicArn on ALARM and OK when given) and the provider's dashboard.
 */
import * as aws from "@pulumi/aws";
import { alarmSpecs, type AlarmKey } from "../alarms";
import { dashboardBody, dashboardUrl } from "../dashboard";
import type { PipelineContext } from "./context";

export function buildAlarms({ name, names, provider, args, tags, child }: PipelineContext): Record<AlarmKey, aws.cloudwatch.MetricAlarm> {
  const actions = args.alarmTopicArn ? [args.alarmTopicArn] : [];
  const specs = alarmSpecs(provider, names, { metricsNamespace: args.metricsNamespace, rearmIntervalMinutes: args.rearmIntervalMinutes });
  const alarm = (key: AlarmKey) => {
    const { name: alarmName, ...spec } = specs[key];
    return new aws.cloudwatch.MetricAlarm(`${name}-${key}-alarm`, { name: alarmName, ...spec, alarmActions: actions, okActions: actions, tags }, child);
  };
  return {
    breakerOpen: alarm("breakerOpen"),
    dlqNotEmpty: alarm("dlqNotEmpty"),
    iteratorAge: alarm("iteratorAge"),
    heldOff: alarm("heldOff"),
    authFailed: alarm("authFailed"),
  };
}

export function buildDashboard({ name, names, provider, args, child }: PipelineContext): { dashboard: aws.cloudwatch.Dashboard; url: string } {
  const dashboard = new aws.cloudwatch.Dashboard(
    `${name}-dashboard`,
    {
      dashboardName: names.dashboard,
      dashboardBody: JSON.stringify(dashboardBody(provider, names, { region: args.region, metricsNamespace: args.metricsNamespace })),
    },
    child,
  );
  return { dashboard, url: dashboardUrl(args.region, names.dashboard) };
}
