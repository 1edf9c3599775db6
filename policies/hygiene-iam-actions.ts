/**
 * sluice-iam-no-wildcard-actions — resource policy, advisory.
 * IAM policies name every action they allow: no "*" in an Allow statement's
 * actions ("dynamodb:*", "kinesis:Get*", "*") and no Allow with NotAction,
 * which grants everything but a list. The ledgers, streams, secrets and the
 * landing bucket are the firm's data; a wildcard silently grants the next
 * action AWS adds. Checked in role policies, managed policies and a role's
 * inline policies. Wildcard resources are not judged here: AWS forces one for
 * lambda:ListEventSourceMappings and kinesis:ListStreams.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { known, UNKNOWN } from "./known";
import { TYPE } from "./resource-types";

export const IAM_NO_WILDCARD_ACTIONS = "sluice-iam-no-wildcard-actions";

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

/** One line per offending statement of a policy document (a JSON string or an object). */
export function wildcardGrants(document: unknown): string[] {
  let doc: unknown = document;
  if (typeof doc === "string") {
    try {
      doc = JSON.parse(doc);
    } catch {
      return [`the policy document is not JSON`];
    }
  }
  const statements = asList((doc as { Statement?: unknown } | null)?.Statement);
  const problems: string[] = [];
  statements.forEach((s, i) => {
    const st = s as { Sid?: unknown; Effect?: unknown; Action?: unknown; NotAction?: unknown };
    if (st?.Effect !== "Allow") return;
    const label = typeof st.Sid === "string" && st.Sid !== "" ? `statement ${st.Sid}` : `statement #${i + 1}`;
    const wild = asList(st.Action).filter((a): a is string => typeof a === "string" && a.includes("*"));
    if (wild.length > 0) problems.push(`${label} allows wildcard actions ${wild.map((a) => JSON.stringify(a)).join(", ")}`);
    if (st.NotAction !== undefined) problems.push(`${label} allows everything except its NotAction list`);
  });
  return problems;
}

export function iamNoWildcardActionsPolicy(): ResourceValidationPolicy {
  return {
    name: IAM_NO_WILDCARD_ACTIONS,
    description: "IAM policies name every action they allow: no wildcard actions, no Allow with NotAction.",
    enforcementLevel: "advisory",
    validateResource: (args, report) => {
      let documents: unknown[];
      if (args.type === TYPE.ROLE_POLICY || args.type === TYPE.POLICY) {
        documents = [known(() => args.props.policy as unknown)];
      } else if (args.type === TYPE.ROLE) {
        const inline = known(() => asList(args.props.inlinePolicies).map((p) => known(() => (p as { policy?: unknown }).policy)));
        documents = inline === UNKNOWN ? [] : inline;
      } else {
        return args.notApplicable("not an IAM role or policy");
      }
      for (const doc of documents) {
        // Policies built from other resources' ARNs are unknown during a preview; the update checks them.
        if (doc === UNKNOWN || doc === undefined) continue;
        for (const problem of wildcardGrants(doc)) report(problem);
      }
    },
  };
}
