/**
 * Atlas Securities' stub: a SOAP 1.1 endpoint for GetSecurity.
 *   "XS0000000009"  fault soap:Client UnknownSecurity
 *   "XS0000000017"  fault soap:Server (a backend timeout)
 *   "XS0000000025"  a body cut off mid-element
 *   "XS0000000033"  an answer with a price that is not a number
 *   any other ISIN  a security derived from it
 * Wrong credentials: fault soap:Client AuthenticationFailed.
 */
import { XMLBuilder, XMLParser } from "fast-xml-parser";
import { defineStub, type StubResponse } from "sluice/stub";

export const CREDENTIALS = { username: "stub-user", password: "stub-pass" };

const parser = new XMLParser({ removeNSPrefix: true, parseTagValue: false });
const builder = new XMLBuilder({ ignoreAttributes: false });

function envelope(body: unknown, status = 200): StubResponse {
  const xml = builder.build({
    "?xml": { "@_version": "1.0", "@_encoding": "utf-8" },
    "s:Envelope": { "@_xmlns:s": "http://schemas.xmlsoap.org/soap/envelope/", "s:Body": body },
  });
  return { status, headers: { "content-type": "text/xml; charset=utf-8" }, body: xml };
}

const fault = (faultcode: string, faultstring: string, code?: string) =>
  envelope({ "s:Fault": { faultcode, faultstring, ...(code ? { detail: { ErrorCode: code } } : {}) } }, 500);

/** ISINs with a valid check digit (ISO 6166, Luhn over the letters as numbers): `sluice local` enqueues these. */
export function isin(country: string, n: number): string {
  const body = `${country}${String(n).padStart(9, "0")}`;
  const digits = [...body].map((c) => (/[A-Z]/.test(c) ? String(c.charCodeAt(0) - 55) : c)).join("");
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) d *= 2;
    sum += d > 9 ? d - 9 : d;
  }
  return `${body}${(10 - (sum % 10)) % 10}`;
}

export default defineStub({
  secrets: { ...CREDENTIALS },
  ids: (count) => Array.from({ length: count }, (_, i) => isin("CH", 1000 + i)),
  settings: (url) => ({ endpoint: `${url}/ReferenceData.svc` }),
  handle(request) {
    if (request.path !== "/ReferenceData.svc" || request.method !== "POST") return undefined;
    const doc = parser.parse(request.body) as { Envelope?: { Header?: any; Body?: { GetSecurity?: { ISIN?: string } } } };
    const token = doc.Envelope?.Header?.Security?.UsernameToken;
    if (token?.Username !== CREDENTIALS.username || token?.Password !== CREDENTIALS.password) {
      return fault("s:Client", "The security token could not be authenticated", "AuthenticationFailed");
    }
    const isin = doc.Envelope?.Body?.GetSecurity?.ISIN;
    if (!isin) return fault("s:Client", "GetSecurity needs an ISIN", "BadRequest");
    switch (isin) {
      case "XS0000000009":
        return fault("s:Client", `No security ${isin}`, "UnknownSecurity");
      case "XS0000000017":
        return fault("s:Server", "The pricing backend did not answer in time");
      case "XS0000000025":
        return { headers: { "content-type": "text/xml" }, body: "<s:Envelope><s:Body><GetSecurityResponse><Security><ISIN>" };
    }
    const price = isin === "XS0000000033" ? "n/a" : (([...isin].reduce((n, c) => n + c.charCodeAt(0), 0) % 9000) / 100 + 10).toFixed(2);
    return envelope({
      GetSecurityResponse: {
        "@_xmlns": "urn:atlas:referencedata:v3",
        Security: { ISIN: isin, Name: `Security ${isin}`, Currency: isin.startsWith("US") ? "USD" : "EUR", LastPrice: price, AsOf: "2026-12-01" },
      },
    });
  },
});
