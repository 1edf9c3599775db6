/**
 * sluice-stream-encrypted — resource policy, advisory.
 * Kinesis streams are encrypted at rest with KMS (the component uses the
 * AWS-managed key alias/aws/kinesis). Records hold the ids of what the firm
 * fetches from its providers.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { known, UNKNOWN } from "./known";
import { TYPE } from "./resource-types";

export const STREAM_ENCRYPTED = "sluice-stream-encrypted";

export function streamEncryptedPolicy(): ResourceValidationPolicy {
  return {
    name: STREAM_ENCRYPTED,
    description: "Kinesis streams are encrypted at rest with KMS.",
    enforcementLevel: "advisory",
    validateResource: (args, report) => {
      if (args.type !== TYPE.STREAM) args.notApplicable("not a Kinesis stream");
      const settings = known(() => ({ type: args.props.encryptionType as unknown, key: args.props.kmsKeyId as unknown }));
      if (settings === UNKNOWN) return;
      if (settings.type !== "KMS") report(`encryptionType is ${JSON.stringify(settings.type ?? "NONE")}, not "KMS"`);
      else if (typeof settings.key !== "string" || settings.key === "") report(`encryptionType is "KMS" but no kmsKeyId names the key`);
    },
  };
}
