import { expect } from "chai";
import { XMLParser } from "fast-xml-parser";
import * as path from "node:path";
import { openWorker, type WorkerSession } from "sluice/stub";
import { LandedSecurity, requestEnvelope } from "../../examples/workers/atlas-securities";
import stub from "../../examples/workers/atlas-securities.stub";

/** The examples' catalog (examples/providers.json), where their module paths start. */
const EXAMPLES = path.join(__dirname, "..", "..", "examples", "providers.json");

describe("atlas-securities worker (SOAP/XML) against its stub", () => {
  let session: WorkerSession;
  before(async () => (session = await openWorker({ catalog: EXAMPLES, provider: "atlas-securities", stub: true })));
  after(() => session.close());

  it("lands the security parsed from the XML answer as JSON", async () => {
    const result = await session.run("DE0001102580");
    expect(result.response).to.deep.include({ ok: true });
    expect(result.landed?.key).to.equal(`atlas-securities/${result.request.day}/DE0001102580.json`);
    const landed = LandedSecurity.parse(JSON.parse(result.landed!.body));
    expect(landed).to.include({ isin: "DE0001102580", currency: "EUR", asOf: "2026-12-01", source: "atlas-securities" });
    expect(landed.lastPrice).to.be.a("number");
  });

  const classified: [string, string, RegExp][] = [
    ["XS0000000009", "permanent", /UnknownSecurity/],
    ["XS0000000017", "error", /s:Server/],
    ["XS0000000025", "error", /not XML/],
    ["XS0000000033", "permanent", /LastPrice/],
    ["not-an-isin", "permanent", /not an ISIN/],
  ];
  for (const [isin, kind, reason] of classified) {
    it(`classifies ${isin} as ${kind}`, async () => {
      const { response, landed } = await session.run(isin);
      expect(response).to.deep.include({ ok: false, kind });
      expect(!response.ok && response.reason).to.match(reason);
      expect(landed).to.equal(undefined);
    });
  }

  it("answers an auth failure when the service refuses the credentials", async () => {
    const wrong = await openWorker({ catalog: EXAMPLES, provider: "atlas-securities", stub: { ...stub, secrets: { username: "stub-user", password: "nope" } } });
    try {
      expect((await wrong.run("DE0001102580")).response).to.deep.include({ ok: false, kind: "auth" });
    } finally {
      await wrong.close();
    }
  });

  it("escapes the record id into the envelope instead of pasting it", () => {
    const xml = requestEnvelope("</ref:ISIN><evil/>", "u", "p&<");
    const doc = new XMLParser({ removeNSPrefix: true, parseTagValue: false }).parse(xml);
    expect(doc.Envelope.Body.GetSecurity.ISIN).to.equal("</ref:ISIN><evil/>");
    expect(doc.Envelope.Header.Security.UsernameToken.Password).to.equal("p&<");
  });
});
