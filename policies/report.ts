/**
 * Reporting a violation at a level other than the policy's own.
 *
 * @pulumi/policy's reportViolation also accepts an object whose
 * `enforcementLevel` applies to that one violation (server.js,
 * makeReportViolationFun); the SDK uses the same per-violation level itself to
 * downgrade "can't run during preview" to advisory. Its type declaration shows
 * only the string form, so the object form is typed here. The object form does
 * not prefix the policy's description the way the string form does; this
 * helper does, so both forms read the same.
 */
import type { EnforcementLevel, ReportViolation } from "@pulumi/policy";

interface ViolationObject {
  message: string;
  description: string;
  enforcementLevel: EnforcementLevel;
  urn?: string;
}

export function reportAtLevel(report: ReportViolation, level: EnforcementLevel, description: string, message: string, urn?: string): void {
  const violation: ViolationObject = { message: `${description}\n${message}`, description, enforcementLevel: level, ...(urn ? { urn } : {}) };
  (report as unknown as (v: ViolationObject) => void)(violation);
}
