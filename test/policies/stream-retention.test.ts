import { expect } from "chai";
import { TAG, contractTags } from "../../components/tags";
import { STREAM_RETENTION, streamRetentionPolicy } from "../../policies/stream-retention";
import { longestClosedStretch } from "../../runtime/windows/closed";
import { ACME, at, check, pipeline, provider, UNKNOWN } from "./harness";

/**
 * Open on weekdays 09:00–17:00 in London: closed Friday 17:00 to Monday 09:00, 64 h on the wall clock.
 * The catalog itself refuses 64 h (it counts the extra real hour too), so the 64 h cases set the
 * resources directly, as a stack built by other means could.
 */
const WEEKDAYS = provider({
  id: "weekdays",
  maxConcurrency: 2,
  timezone: "Europe/London",
  accessWindows: [{ days: ["mon", "tue", "wed", "thu", "fri"], start: "09:00", end: "17:00" }],
  streamRetentionHours: 65,
});
const WALL_CLOCK_FIT = { stream: { retentionPeriod: 64 }, mapping: { maximumRecordAgeInSeconds: 64 * 3_600 } };

const CI = at("2026-01-06T12:00:00Z");
const run = async (p = pipeline(), clock = CI) => (await check(streamRetentionPolicy(clock), p.all)).violations;

describe("policies/stream-retention", () => {
  it("is a mandatory resource policy", () => {
    const policy = streamRetentionPolicy(CI);
    expect(policy.name).to.equal(STREAM_RETENTION);
    expect(policy.enforcementLevel).to.equal("mandatory");
  });

  it("passes the retention the catalog gives by default (longest closed period + 24 h)", async () => {
    expect(ACME.streamRetentionHours).to.equal(38);
    expect(await run()).to.deep.equal([]);
  });

  it("refuses a stream that keeps records for less than the provider stays closed", async () => {
    const p = pipeline(ACME, { stream: { retentionPeriod: 12 } });
    expect((await run(p)).map((v) => [v.urn, v.message])).to.deep.equal([
      [
        p.stream.urn,
        `stream retention 12 h is shorter than provider "acme"'s longest closed period, 14 h (Tue 2026-01-06 06:00 GMT to Tue 2026-01-06 20:00 GMT): records queued when it closes would expire before it opens`,
      ],
    ]);
  });

  it("counts Kinesis's 24 h when the stream sets no retention", async () => {
    const p = pipeline(WEEKDAYS, { stream: { retentionPeriod: undefined } });
    expect((await run(p)).map((v) => v.message)[0]).to.match(/^stream retention 24 h is shorter than/);
  });

  it("holds retention to a compliance margin set in the policy config", async () => {
    const violations = (await check(streamRetentionPolicy(CI), pipeline().all, { config: { marginHours: 30 } })).violations;
    expect(violations.map((v) => v.message)).to.have.length(2);
    expect(violations[0]!.message).to.include("stream retention 38 h is shorter than").and.include("plus the required margin of 30 h");
    expect((await check(streamRetentionPolicy(CI), pipeline().all, { config: { marginHours: 24 } })).violations).to.deep.equal([]);
  });

  describe("across a DST change", () => {
    it("measures the weekend the clocks go back as 65 real hours, not the wall clock's 64", () => {
      const stretch = longestClosedStretch(contractTagsOf(WEEKDAYS), Date.parse("2026-01-06T12:00:00Z"))!;
      expect(stretch.minutes).to.equal(65 * 60);
      expect(new Date(stretch.start).toISOString()).to.equal("2026-10-23T16:00:00.000Z");
      expect(new Date(stretch.end).toISOString()).to.equal("2026-10-26T09:00:00.000Z");
    });

    it("refuses a retention that fits the catalog's wall-clock figure exactly, in the stream and in the mapping, and says why", async () => {
      const p = pipeline(WEEKDAYS, WALL_CLOCK_FIT);
      const stretch = `provider "weekdays"'s longest closed period, 65 h (Fri 2026-10-23 17:00 GMT+1 to Mon 2026-10-26 09:00 GMT; the wall clock shows 64 h, the clocks change in between)`;
      expect((await run(p)).map((v) => [v.urn, v.message])).to.deep.equal([
        [p.stream.urn, `stream retention 64 h is shorter than ${stretch}: records queued when it closes would expire before it opens`],
        [p.mapping.urn, `mapping maximumRecordAgeInSeconds 230400 (64 h) is shorter than ${stretch}: the mapping would discard records queued when it closes`],
      ]);
    });

    it("passes one more hour", async () => {
      expect(await run(pipeline(WEEKDAYS, { stream: { retentionPeriod: 65 }, mapping: { maximumRecordAgeInSeconds: 65 * 3_600 } }))).to.deep.equal([]);
    });

    it("finds the same stretch a year on, from any instant", async () => {
      const later = await run(pipeline(WEEKDAYS, { stream: { retentionPeriod: 64 }, mapping: { maximumRecordAgeInSeconds: -1 } }), at("2027-03-01T00:00:00Z"));
      expect(later[0]!.message).to.include("(Fri 2027-10-29 17:00 GMT+1 to Mon 2027-11-01 09:00 GMT;");
    });
  });

  describe("the mapping's maximum record age", () => {
    it("refuses an age shorter than the closed period", async () => {
      const p = pipeline(ACME, { mapping: { maximumRecordAgeInSeconds: 3_600 } });
      expect((await run(p)).map((v) => [v.urn, v.message])).to.deep.equal([
        [
          p.mapping.urn,
          `mapping maximumRecordAgeInSeconds 3600 (1 h) is shorter than provider "acme"'s longest closed period, 14 h (Tue 2026-01-06 06:00 GMT to Tue 2026-01-06 20:00 GMT): the mapping would discard records queued when it closes`,
        ],
      ]);
    });

    it("accepts -1 (no age limit) and unset", async () => {
      expect(await run(pipeline(ACME, { mapping: { maximumRecordAgeInSeconds: -1 } }))).to.deep.equal([]);
      expect(await run(pipeline(ACME, { mapping: { maximumRecordAgeInSeconds: undefined } }))).to.deep.equal([]);
    });
  });

  it("never judges a provider that is always open", async () => {
    const always = provider({ id: "demo", maxConcurrency: 10 });
    expect(await run(pipeline(always, { stream: { retentionPeriod: 1 } }))).to.deep.equal([]);
  });

  it("warns (advisory) when the retention is not known yet", async () => {
    const violations = await run(pipeline(ACME, { stream: { retentionPeriod: UNKNOWN.number } }));
    expect(violations.map((v) => [v.level, v.message])).to.deep.equal([["advisory", "the stream's retentionPeriod is not known yet; it is checked at the update"]]);
  });

  it("refuses a stream whose windows cannot be read (fail closed)", async () => {
    const p = pipeline(ACME, { contract: { ...contractTags(ACME), [TAG.ACCESS_WINDOWS]: "nights" } });
    const violations = await run(p);
    expect(violations.map((v) => v.urn)).to.deep.equal([p.stream.urn, p.mapping.urn]);
    expect(violations[0]!.message).to.match(/^cannot tell how long the pipeline's provider stays closed: tag sluice\/accessWindows value "nights"/);
  });
});

function contractTagsOf(p: typeof WEEKDAYS) {
  return { timezone: p.timezone, accessWindows: p.accessWindows, maintenanceWindows: p.maintenanceWindows };
}
