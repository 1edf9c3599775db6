import { expect } from "chai";
import type { Diagnostic } from "../../../policies/offline/analyze";
import { countByLevel, formatPolicyReport } from "../../../policies/offline/report";

const ctx = { project: "sluice", stack: "dev", packPath: "policies" };
const diag = (over: Partial<Diagnostic>): Diagnostic => ({
  policyName: "sluice-concurrency-cap",
  policyPackName: "sluice",
  policyPackVersion: "0.1.0",
  description: "The calls stay within the cap.",
  message: "The calls stay within the cap.\nprovider \"acme\": too many",
  enforcementLevel: "mandatory",
  ...over,
});

describe("policies/offline/report", () => {
  it("prints a passing pack the way the Pulumi CLI does", () => {
    expect(formatPolicyReport("sluice", "0.1.0", [], ctx)).to.equal("Policies:\n    ✅ sluice@v0.1.0 (local: policies)\n");
  });

  it("prints each violation with its level, policy, resource type and name, then its lines", () => {
    const text = formatPolicyReport(
      "sluice",
      "0.1.0",
      [
        diag({ urn: "urn:pulumi:dev::sluice::sluice:index:ProviderPipeline$aws:lambda/function:Function::acme-worker" }),
        diag({ enforcementLevel: "advisory", policyName: "sluice-log-retention", message: "Logs.\nkept forever" }),
      ],
      ctx,
    );
    expect(text).to.equal(
      [
        "Policies:",
        "    ❌ sluice@v0.1.0 (local: policies)",
        "        - [mandatory]  sluice-concurrency-cap  (aws:lambda/function:Function: acme-worker)",
        "          The calls stay within the cap.",
        '          provider "acme": too many',
        "        - [advisory]  sluice-log-retention  (pulumi:pulumi:Stack: sluice-dev)",
        "          Logs.",
        "          kept forever",
        "",
      ].join("\n"),
    );
  });

  it("marks a pack with only advisories as a warning and counts by level", () => {
    const only = [diag({ enforcementLevel: "advisory" })];
    expect(formatPolicyReport("sluice", "0.1.0", only, ctx).split("\n")[1]).to.equal("    ⚠️ sluice@v0.1.0 (local: policies)");
    expect(countByLevel([...only, diag({})])).to.deep.equal({ mandatory: 1, advisory: 1 });
  });
});
