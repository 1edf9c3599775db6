import { expect } from "chai";
import { defaultPolicyClock, fixedClock, instantFor, isoInstant, NOW_ENV, parseInstant, PolicyClockError } from "../../policies/clock";

describe("policies/clock", () => {
  const valid: [string, string][] = [
    ["2026-01-06T12:00:00Z", "2026-01-06T12:00:00.000Z"],
    ["2026-01-06T12:00Z", "2026-01-06T12:00:00.000Z"],
    ["2026-01-06T13:00:00+01:00", "2026-01-06T12:00:00.000Z"],
    ["2026-03-29T01:30:00.250-04:00", "2026-03-29T05:30:00.250Z"],
  ];
  for (const [text, iso] of valid) {
    it(`reads ${text}`, () => expect(new Date(parseInstant(text, "--at")).toISOString()).to.equal(iso));
  }

  const invalid = ["2026-01-06T12:00:00", "2026-01-06", "yesterday", "2026-13-01T00:00:00Z", ""];
  for (const text of invalid) {
    it(`refuses ${JSON.stringify(text)}, naming the field`, () => {
      expect(() => parseInstant(text, "--at")).to.throw(PolicyClockError, `--at ${JSON.stringify(text)} is not an ISO 8601 instant with a zone`);
    });
  }

  it("takes config now over the clock, then SLUICE_POLICY_NOW, then the wall clock", () => {
    const env: NodeJS.ProcessEnv = {};
    const clock = defaultPolicyClock(env, () => 1_000);
    expect(clock()).to.deep.equal({ at: 1_000, source: "wall clock" });
    env[NOW_ENV] = "1970-01-01T00:00:02Z";
    expect(clock()).to.deep.equal({ at: 2_000, source: NOW_ENV });
    expect(instantFor("1970-01-01T00:00:03Z", clock)).to.deep.equal({ at: 3_000, source: "policy config now" });
    expect(instantFor(undefined, fixedClock(4_000, "--at"))).to.deep.equal({ at: 4_000, source: "--at" });
  });

  it("prints instants without empty milliseconds", () => {
    expect(isoInstant(Date.parse("2026-01-06T12:00:00Z"))).to.equal("2026-01-06T12:00:00Z");
    expect(isoInstant(Date.parse("2026-01-06T12:00:00.5Z"))).to.equal("2026-01-06T12:00:00.500Z");
  });
});
