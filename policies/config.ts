/**
 * Policy configuration (`--policy-pack-config`). Each policy declares its
 * settings once, as a zod schema: the JSON Schema Pulumi checks the config
 * against is derived from it, and the policy parses what `getConfig` returns
 * with it, so a value the CLI let through cannot be misread.
 */
import * as z from "zod";
import type { PolicyConfigSchema } from "@pulumi/policy";
import { SluiceError } from "../runtime/errors";

/** Config a policy cannot use; one line per problem, naming the policy and the field. */
export class PolicyConfigError extends SluiceError {
  constructor(
    readonly policy: string,
    readonly problems: readonly string[],
  ) {
    super(problems.map((p) => `policy ${policy}: ${p}`).join("\n"));
  }
}

/** The JSON Schema of a policy's settings, as PolicyPack wants it. */
export function configSchemaOf(schema: z.ZodObject): PolicyConfigSchema {
  const json = z.toJSONSchema(schema, { target: "draft-7", io: "input" }) as { properties?: PolicyConfigSchema["properties"]; required?: string[] };
  return { properties: json.properties ?? {}, ...(json.required && json.required.length > 0 ? { required: json.required } : {}) };
}

export function parseConfig<S extends z.ZodObject>(policy: string, schema: S, raw: unknown): z.output<S> {
  const parsed = schema.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  throw new PolicyConfigError(
    policy,
    parsed.error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.map(String).join(".") : "(settings)"}: ${issue.message}`),
  );
}
