/**
 * The event source mapping (stream → ventilator) and the ventilator's grant to
 * control it. The grant names the function, not the mapping, so it exists
 * before the mapping's first batch; the mapping waits for the stream grants
 * too, since AWS checks them on creation.
 */
import * as aws from "@pulumi/aws";
import { arnParts, ventilatorMappingPolicy } from "../iam";
import { mappingOptions, mappingSettings } from "../mapping";
import type { PipelineContext } from "./context";
import type { PipelineFunctions } from "./functions";
import type { PipelineLedger } from "./ledger";

export function buildMapping(
  { name, provider, contract, child }: PipelineContext,
  stream: aws.kinesis.Stream,
  { deadLetterQueue }: PipelineLedger,
  { ventilator, ventilatorRole, ventilatorStreamGrants }: PipelineFunctions,
): aws.lambda.EventSourceMapping {
  const controlGrant = new aws.iam.RolePolicy(
    `${name}-ventilator-mapping-policy`,
    {
      role: ventilatorRole.id,
      policy: ventilator.arn.apply((functionArn) => JSON.stringify(ventilatorMappingPolicy({ functionArn, where: arnParts(functionArn) }))),
    },
    child,
  );
  return new aws.lambda.EventSourceMapping(
    `${name}-mapping`,
    {
      eventSourceArn: stream.arn,
      functionName: ventilator.arn,
      ...mappingSettings(provider),
      destinationConfig: { onFailure: { destinationArn: deadLetterQueue.arn } },
      tags: contract,
    },
    mappingOptions(provider, { ...child, dependsOn: [ventilatorStreamGrants, controlGrant] }),
  );
}
