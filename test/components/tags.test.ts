import { expect } from "chai";
import fc from "fast-check";
import * as path from "node:path";
import {
  ContractTagError,
  contractTags,
  formatAccessWindows,
  formatMaintenanceWindows,
  parseAccessWindows,
  parseContractTags,
  parseMaintenanceWindows,
  providerTags,
  TAG,
  tagProblems,
} from "../../components/tags";
import { loadCatalog } from "../../runtime/catalog/load";
import { findProvider } from "../../runtime/catalog/provider";
import { WEEKDAYS, type AccessWindow, type MaintenanceWindow } from "../../runtime/catalog/schema";

const catalog = loadCatalog(path.join(__dirname, "..", "..", "providers.json"));
const provider = (id: string) => findProvider(catalog, id)!;

const clock = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([h, m]) => `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`);
const day = fc.constantFrom(...WEEKDAYS);
const accessWindow: fc.Arbitrary<AccessWindow> = fc.record({
  days: fc.uniqueArray(day, { minLength: 1, maxLength: 7 }),
  start: clock,
  end: clock,
});
const maintenanceWindow: fc.Arbitrary<MaintenanceWindow> = fc.record({ day, start: clock, end: clock });
const inWeekOrder = (w: AccessWindow): AccessWindow => ({ ...w, days: WEEKDAYS.filter((d) => w.days.includes(d)) });

describe("components/tags", () => {
  it("tags the contract of a provider with windows in a tag-safe form", () => {
    expect(contractTags(provider("meridian-funds"))).to.deep.equal({
      [TAG.PROVIDER]: "meridian-funds",
      [TAG.MAX_CONCURRENCY]: "8",
      [TAG.MAX_FAN_OUT]: "4",
      [TAG.CONCURRENT_BATCHES]: "2",
      [TAG.TIMEZONE]: "Europe/London",
      [TAG.ACCESS_WINDOWS]: "daily 20.00-06.00",
      [TAG.MAINTENANCE_WINDOWS]: "sun 01.00-04.00",
    });
    expect(contractTags(provider("pacific-registry"))[TAG.ACCESS_WINDOWS]).to.equal("mon+tue+wed+thu+fri 21.00-05.30");
    expect(contractTags(provider("demo"))).to.include({ [TAG.ACCESS_WINDOWS]: "always", [TAG.MAINTENANCE_WINDOWS]: "none" });
  });

  it("accepts the shipped providers' tags as AWS tag values", () => {
    for (const p of catalog.providers) expect(tagProblems(contractTags(p)), p.id).to.deep.equal([]);
  });

  it("flags JSON and over-long values, which Kinesis and DynamoDB refuse", () => {
    expect(tagProblems({ k: '[{"day":"sun"}]' })).to.have.length(1);
    expect(tagProblems({ k: "a".repeat(257) })[0]).to.match(/257 characters/);
    expect(tagProblems({ k: "Etc/GMT+5 mon+tue 01.00-02.00 / x@y=z_1.2" })).to.deep.equal([]);
  });

  it("reads the contract back from its tags", () => {
    const p = provider("pacific-registry");
    expect(parseContractTags(contractTags(p))).to.deep.equal({
      provider: p.id,
      maxConcurrency: p.maxConcurrency,
      maxFanOut: p.maxFanOut,
      concurrentBatches: p.concurrentBatches,
      timezone: p.timezone,
      accessWindows: p.accessWindows,
      maintenanceWindows: p.maintenanceWindows,
    });
  });

  it("round-trips any windows through their tag form, days in week order (property)", () => {
    fc.assert(
      fc.property(fc.array(accessWindow, { maxLength: 6 }), fc.array(maintenanceWindow, { maxLength: 8 }), (access, maintenance) => {
        expect(parseAccessWindows(formatAccessWindows(access))).to.deep.equal(access.map(inWeekOrder));
        expect(parseMaintenanceWindows(formatMaintenanceWindows(maintenance))).to.deep.equal(maintenance);
        expect(tagProblems({ a: formatAccessWindows(access), m: formatMaintenanceWindows(maintenance) }).filter((p) => !/characters long/.test(p))).to.deep.equal([]);
      }),
    );
  });

  it("names the tag at fault when reading a contract fails", () => {
    const good = contractTags(provider("demo"));
    expect(() => parseContractTags({ ...good, [TAG.MAX_CONCURRENCY]: undefined })).to.throw(ContractTagError, /sluice\/maxConcurrency is missing/);
    expect(() => parseContractTags({ ...good, [TAG.MAX_FAN_OUT]: "4.5" })).to.throw(ContractTagError, /sluice\/maxFanOut value "4.5" is not a positive integer/);
    expect(() => parseContractTags({ ...good, [TAG.MAINTENANCE_WINDOWS]: "sunday 01.00-04.00" })).to.throw(ContractTagError, /sluice\/maintenanceWindows/);
    expect(() => parseContractTags({ ...good, [TAG.ACCESS_WINDOWS]: "mon 25.00-01.00" })).to.throw(ContractTagError, /sluice\/accessWindows/);
  });

  it("still reads the contract of a stack deployed with sluice:… keys and HH:MM times", () => {
    const p = provider("pacific-registry");
    const legacy = Object.fromEntries(Object.entries(contractTags(p)).map(([k, v]) => [k.replace("sluice/", "sluice:"), v.replace(/(\d\d)\.(\d\d)/g, "$1:$2")]));
    expect(legacy["sluice:accessWindows"]).to.equal("mon+tue+wed+thu+fri 21:00-05:30");
    expect(parseContractTags(legacy)).to.deep.equal(parseContractTags(contractTags(p)));
  });

  it("puts the provider id on every resource", () => {
    expect(providerTags({ id: "demo" })).to.deep.equal({ "sluice/provider": "demo" });
  });
});
