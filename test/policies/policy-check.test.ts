/**
 * `sluice policy-check` through the real binary: the CI run on the shipped
 * catalog, one catalog (or policy config) per mandatory policy that trips it,
 * and bad input. Each run bundles the Lambdas and runs the program under
 * mocks, about 4 s.
 */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { loadCatalog } from "../../runtime/catalog/load";

const root = path.join(__dirname, "..", "..");
const bin = path.join(root, "bin", "sluice.js");
const fixture = (name: string) => path.join("test", "policies", "fixtures", name);
/** The instant CI checks at: a Tuesday noon UTC, outside every shipped maintenance window. */
const CI_AT = "2026-01-06T12:00:00Z";

function sluice(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const env = { ...process.env };
  delete env.SLUICE_POLICY_NOW;
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: "utf8", env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The violation lines under "Policies:", as "[level] policy (type: name)". */
function violations(stdout: string): string[] {
  return stdout
    .split("\n")
    .filter((l) => l.startsWith("        - ["))
    .map((l) => l.trim().replace(/^- /, "").replace(/\s{2,}/g, " "));
}

describe("sluice policy-check", function () {
  this.timeout(60_000);

  it("passes the shipped catalog at the CI instant, with nothing to report", () => {
    const r = sluice("policy-check", "--at", CI_AT);
    expect(r.stderr).to.equal("");
    expect(r.code).to.equal(0);
    expect(r.stdout).to.include(`sluice policy-check: providers.json (3 providers, 2 enabled) as stack "dev": 3 pipelines, 72 resources; windows judged at ${CI_AT} (--at)`);
    expect(r.stdout).to.include("Policies:\n    ✅ sluice@v0.1.0 (local: policies)\n");
    expect(r.stdout).to.match(/0 mandatory, 0 advisory violations: the deploy would pass\n$/);
  });

  it("refuses the shipped catalog inside meridian-funds' Sunday maintenance, exit 2", () => {
    const r = sluice("policy-check", "--at", "2026-01-04T02:00:00Z", "--stack", "prod");
    expect(r.code).to.equal(2);
    expect(violations(r.stdout)).to.deep.equal([
      "[mandatory] sluice-maintenance-window (aws:kinesis/stream:Stream: meridian-funds-stream)",
      "[mandatory] sluice-maintenance-window (aws:lambda/function:Function: meridian-funds-worker)",
      "[mandatory] sluice-maintenance-window (aws:lambda/eventSourceMapping:EventSourceMapping: meridian-funds-mapping)",
    ]);
    expect(r.stdout).to.include('as stack "prod"');
    expect(r.stdout).to.include(`provider "meridian-funds" is inside its maintenance window sun 01:00-04:00 (Europe/London) at 2026-01-04T02:00:00Z`);
    expect(r.stdout).to.match(/3 mandatory, 0 advisory violations: the deploy would be refused\n$/);
  });

  it("lets the same deploy through with an emergency override, printing the advisory and its reason", () => {
    const r = sluice("policy-check", "--at", "2026-01-04T02:00:00Z", "--policy-pack-config", fixture("override-meridian.config.json"));
    expect(r.code).to.equal(0);
    expect(violations(r.stdout)).to.have.length(3).and.satisfy((v: string[]) => v.every((l) => l.startsWith("[advisory] sluice-maintenance-window")));
    expect(r.stdout).to.include("OVERRIDDEN by policy config: INC-2231: valuations missing for the Monday open, vendor approved");
    expect(r.stdout).to.include("⚠️ sluice@v0.1.0");
  });

  describe("catalogs and configs that trip each mandatory policy", () => {
    it("maintenance window: a provider in maintenance at the very instant CI checks at", () => {
      const r = sluice("policy-check", "--catalog", fixture("maintenance-now.json"), "--at", CI_AT);
      expect(r.code).to.equal(2);
      expect(violations(r.stdout)).to.deep.equal([
        "[mandatory] sluice-maintenance-window (aws:kinesis/stream:Stream: lunchtime-rates-stream)",
        "[mandatory] sluice-maintenance-window (aws:lambda/function:Function: lunchtime-rates-worker)",
        "[mandatory] sluice-maintenance-window (aws:lambda/eventSourceMapping:EventSourceMapping: lunchtime-rates-mapping)",
      ]);
      expect(r.stdout).to.include("refused until 2026-01-06T13:00:00Z (Tue 2026-01-06 13:00 GMT)");
    });

    it("stream retention: the shipped catalog under a compliance margin of 48 h", () => {
      const r = sluice("policy-check", "--at", CI_AT, "--policy-pack-config", fixture("retention-margin.config.json"));
      expect(r.code).to.equal(2);
      expect(violations(r.stdout)).to.deep.equal([
        "[mandatory] sluice-stream-retention (aws:kinesis/stream:Stream: meridian-funds-stream)",
        "[mandatory] sluice-stream-retention (aws:kinesis/stream:Stream: pacific-registry-stream)",
        "[mandatory] sluice-stream-retention (aws:lambda/eventSourceMapping:EventSourceMapping: meridian-funds-mapping)",
        "[mandatory] sluice-stream-retention (aws:lambda/eventSourceMapping:EventSourceMapping: pacific-registry-mapping)",
      ]);
      expect(r.stdout).to.include(`stream retention 38 h is shorter than provider "meridian-funds"'s longest closed period, 14 h`);
      expect(r.stdout).to.include("plus the required margin of 48 h");
    });

    it("stream retention across the weekend the clocks go back is refused already by the catalog's validation", () => {
      const r = sluice("policy-check", "--catalog", fixture("retention-dst.json"), "--at", CI_AT);
      expect(r.code).to.equal(1);
      expect(r.stderr).to.include('streamRetentionHours 64 is shorter than the longest closed period (65.0 h in real time)');
    });

    it("concurrency cap: the shipped catalog under a compliance cap tightened to 6 for meridian-funds", () => {
      const r = sluice("policy-check", "--at", CI_AT, "--policy-pack-config", fixture("cap-tightened.config.json"));
      expect(r.code).to.equal(2);
      expect(violations(r.stdout)).to.deep.equal([
        "[mandatory] sluice-concurrency-cap (aws:lambda/function:Function: meridian-funds-ventilator)",
        "[mandatory] sluice-concurrency-cap (aws:lambda/function:Function: meridian-funds-worker)",
      ]);
      expect(r.stdout).to.include(`provider "meridian-funds": the worker's reserved concurrency 8 is above the cap 6 (policy config caps, tighter than the contract's 8)`);
      expect(JSON.parse(readFileSync(path.join(root, "providers.json"), "utf8")).providers[1].maxConcurrency, "providers.json untouched").to.equal(8);
    });
  });

  describe("a deployed stack: --state (pulumi stack export) as on pulumi up --refresh", () => {
    const STATE = fixture("refreshed-stack.json");

    it("passes the refreshed stack whose mapping holds BatchSize 4 000: records per invocation, not calls in flight", () => {
      const state = JSON.parse(readFileSync(path.join(root, STATE), "utf8"));
      const mapping = state.deployment.resources.find((r: { urn: string }) => r.urn.endsWith("::meridian-funds-mapping"));
      expect(mapping.outputs.batchSize).to.equal(4_000);
      const r = sluice("policy-check", "--at", CI_AT, "--state", STATE);
      expect(r.stderr).to.equal("");
      expect(r.code).to.equal(0);
      expect(r.stdout).to.include(
        `state ${STATE}: 72 of 72 resources deployed; 5 ignoreChanges properties take the state's values, changed: meridian-funds-mapping batchSize 4000, demo-mapping enabled false\n`,
      );
      expect(r.stdout).to.match(/0 mandatory, 0 advisory violations: the deploy would pass\n$/);
    });

    it("fails the same stack when the fan-out really exceeds the cap", () => {
      const r = sluice("policy-check", "--at", CI_AT, "--state", STATE, "--policy-pack-config", fixture("cap-tightened.config.json"));
      expect(r.code).to.equal(2);
      expect(r.stdout).to.include(
        `provider "meridian-funds": shards 1 × parallelization factor 2 × the ventilator's maxFanOut (SLUICE_PROVIDER) 4 = 8 calls in flight, above the cap 6 (policy config caps, tighter than the contract's 8)`,
      );
      expect(violations(r.stdout)).to.deep.equal([
        "[mandatory] sluice-concurrency-cap (aws:lambda/function:Function: meridian-funds-ventilator)",
        "[mandatory] sluice-concurrency-cap (aws:lambda/function:Function: meridian-funds-worker)",
      ]);
    });

    it("refuses a file that is not a stack export, in one line", () => {
      const r = sluice("policy-check", "--at", CI_AT, "--state", fixture("now.config.json"));
      expect(r.code).to.equal(1);
      expect(r.stderr.trim()).to.equal("now.config.json: not a `pulumi stack export` document: version: Invalid input: expected number, received undefined");
    });
  });

  describe("the stack's settings: Pulumi.<stack>.yaml and --config", () => {
    it("budgets the account with the stack's limit, and --config overrides it", () => {
      const tight = sluice("policy-check", "--at", CI_AT, "--config", "sluice:accountConcurrencyLimit=110");
      expect(tight.code).to.equal(2);
      expect(violations(tight.stdout)).to.deep.equal(["[mandatory] sluice-account-concurrency (pulumi:pulumi:Stack: sluice-dev)"]);
      expect(tight.stdout).to.include(
        "reserved concurrency 29 across 3 providers exceeds the 10 the account can reserve (sluice:accountConcurrencyLimit 110 − 100 AWS keeps unreserved); largest: demo 12, meridian-funds 11, pacific-registry 6",
      );
      const bad = sluice("policy-check", "--at", CI_AT, "--config", "accountConcurrencyLimit");
      expect(bad.code).to.equal(1);
      expect(bad.stderr.trim()).to.equal('--config "accountConcurrencyLimit" is not namespace:key=value, e.g. sluice:accountConcurrencyLimit=3000');
    });
  });

  describe("bad input, exit 1 without a stack trace", () => {
    it("prints an invalid catalog's own lines, as sluice validate does", () => {
      const r = sluice("policy-check", "--catalog", fixture("invalid.json"), "--at", CI_AT);
      const validate = sluice("validate", "--catalog", fixture("invalid.json"));
      expect(r.code).to.equal(1);
      expect(r.stdout).to.equal("");
      expect(r.stderr).to.equal(validate.stderr);
      expect(r.stderr.trim().split("\n")).to.deep.equal([
        'invalid.json: provider "acme" (#1): timezone "Nowhere/City" is not a known IANA time zone',
        'invalid.json: provider "acme" (#1): maxFanOut 12 exceeds maxConcurrency 10',
      ]);
    });

    it("refuses an --at without a zone", () => {
      const r = sluice("policy-check", "--at", "2026-01-06 12:00");
      expect(r.code).to.equal(1);
      expect(r.stderr.trim()).to.equal(`--at "2026-01-06 12:00" is not an ISO 8601 instant with a zone, e.g. 2026-01-06T12:00:00Z or 2026-01-06T13:00:00+01:00`);
    });

    it("refuses a config naming a policy the pack does not have", () => {
      const r = sluice("policy-check", "--at", CI_AT, "--policy-pack-config", fixture("invalid.json"));
      expect(r.code).to.equal(1);
      expect(r.stderr).to.match(/^test\/policies\/fixtures\/invalid\.json: "providers" is not a policy of pack sluice; it has sluice-concurrency-cap, /);
    });

    it("refuses --at together with the maintenance policy's own now", () => {
      const r = sluice("policy-check", "--at", CI_AT, "--policy-pack-config", fixture("now.config.json"));
      expect(r.code).to.equal(1);
      expect(r.stderr.trim()).to.equal(`give either --at or sluice-maintenance-window.now in ${fixture("now.config.json")}, not both`);
    });
  });
});
