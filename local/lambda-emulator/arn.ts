/**
 * ARNs and names as the Lambda API spells them. The API accepts a function as a
 * name ("my-fn"), a partial ARN ("123456789012:function:my-fn") or a full ARN,
 * each optionally with a ":qualifier"; the emulator keys functions by name.
 */

/** Account of kinesis-mock's streams (its AWS_ACCOUNT_ID default); the emulator uses the same one. */
export const LOCAL_ACCOUNT_ID = "000000000000";

export interface Place {
  region: string;
  accountId: string;
}

export function functionArn(place: Place, name: string): string {
  return `arn:aws:lambda:${place.region}:${place.accountId}:function:${name}`;
}

export function mappingArn(place: Place, uuid: string): string {
  return `arn:aws:lambda:${place.region}:${place.accountId}:event-source-mapping:${uuid}`;
}

export function streamArn(place: Place, streamName: string): string {
  return `arn:aws:kinesis:${place.region}:${place.accountId}:stream/${streamName}`;
}

export function ruleArn(place: Place, ruleName: string): string {
  return `arn:aws:events:${place.region}:${place.accountId}:rule/${ruleName}`;
}

/** The role an event source mapping invokes with; Lambda puts it in every record as invokeIdentityArn. */
export function executionRoleArn(place: Place, functionName: string): string {
  return `arn:aws:iam::${place.accountId}:role/${functionName}-role`;
}

/** "my-fn", "my-fn:$LATEST", "acct:function:my-fn[:q]" or "arn:aws:lambda:r:acct:function:my-fn[:q]" -> "my-fn". */
export function functionNameOf(nameOrArn: string): string {
  const parts = nameOrArn.split(":");
  if (parts[0] === "arn") return parts[6] ?? "";
  if (parts[1] === "function") return parts[2] ?? "";
  return parts[0] ?? "";
}

/** "arn:aws:kinesis:r:acct:stream/name" -> "name"; undefined for anything else. */
export function streamNameOf(arn: string): string | undefined {
  const match = /^arn:aws[a-z-]*:kinesis:[^:]*:[^:]*:stream\/([^/]+)$/.exec(arn);
  return match?.[1];
}
