/**
 * Atlas Securities: security reference data from a SOAP 1.1 service, the
 * style of many industry-standard financial data interfaces. The request is
 * built and the answer parsed with fast-xml-parser (the record id is escaped
 * into the envelope, never pasted), and the answer is mapped into JSON by a schema.
 *
 *   HTTP 429                                -> throttled (Retry-After kept)
 *   HTTP 401/403, Fault AuthenticationFailed -> auth (the provider pauses)
 *   Fault soap:Client UnknownSecurity       -> permanent
 *   Fault soap:Client RateLimited           -> throttled
 *   Fault soap:Server, HTTP 5xx without a fault, XML that does not parse -> transient
 *   an answer the mapping refuses           -> permanent, naming the field
 */
import { XMLBuilder, XMLParser, XMLValidator } from "fast-xml-parser";
import { authFailed, defineWorker, ok, permanent, providerUrl, statusOutcome, throttled, transient } from "sluice/worker";
import * as z from "zod";

const Settings = z.strictObject({
  endpoint: providerUrl(),
  /** SOAPAction of the operation. */
  action: z.string().default("urn:atlas:referencedata:v3/GetSecurity"),
});

export const ISIN = /^[A-Z]{2}[A-Z0-9]{9}[0-9]$/;

const SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/";
const REF_NS = "urn:atlas:referencedata:v3";
const WSSE_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";

const builder = new XMLBuilder({ ignoreAttributes: false, suppressEmptyNode: true });
// Namespace prefixes dropped: the service may pick its own. Text stays text (an ISIN is not a number).
const parser = new XMLParser({ removeNSPrefix: true, ignoreAttributes: true, parseTagValue: false, trimValues: true });

export function requestEnvelope(isin: string, username: string, password: string): string {
  return builder.build({
    "?xml": { "@_version": "1.0", "@_encoding": "utf-8" },
    "soap:Envelope": {
      "@_xmlns:soap": SOAP_NS,
      "@_xmlns:ref": REF_NS,
      "soap:Header": { "wsse:Security": { "@_xmlns:wsse": WSSE_NS, "wsse:UsernameToken": { "wsse:Username": username, "wsse:Password": password } } },
      "soap:Body": { "ref:GetSecurity": { "ref:ISIN": isin } },
    },
  });
}

const Fault = z.object({ faultcode: z.string(), faultstring: z.string(), detail: z.object({ ErrorCode: z.string().optional() }).partial().optional() });

const Security = z.object({
  ISIN: z.string().regex(ISIN),
  Name: z.string().min(1),
  Currency: z.string().regex(/^[A-Z]{3}$/),
  LastPrice: z.string().regex(/^-?\d+(\.\d+)?$/),
  AsOf: z.iso.date(),
});

/** What lands: one JSON object per security and day. */
export const LandedSecurity = z.strictObject({
  isin: z.string(),
  name: z.string(),
  currency: z.string(),
  lastPrice: z.number(),
  asOf: z.string(),
  source: z.literal("atlas-securities"),
});
export type LandedSecurity = z.output<typeof LandedSecurity>;

export default defineWorker(Settings, async (record, ctx) => {
  if (!ISIN.test(record.id)) return permanent(`record id ${JSON.stringify(record.id)} is not an ISIN`);
  const [username, password] = await Promise.all([ctx.secret("username"), ctx.secret("password")]);
  const where = `POST ${ctx.settings.endpoint} GetSecurity ${record.id}`;
  const response = await ctx.fetch(ctx.settings.endpoint, {
    method: "POST",
    headers: { "content-type": "text/xml; charset=utf-8", soapaction: ctx.settings.action, accept: "text/xml" },
    body: requestEnvelope(record.id, username, password),
  });
  // Throttles and refused credentials come as plain HTTP; faults come as 500 with an envelope.
  if (response.status === 429 || response.status === 401 || response.status === 403) return statusOutcome(response, where);
  const text = await response.text();
  if (XMLValidator.validate(text) !== true) {
    return transient(`${where}: ${response.status} with a body that is not XML`);
  }
  const body = (parser.parse(text) as { Envelope?: { Body?: Record<string, unknown> } }).Envelope?.Body;
  if (!body) return transient(`${where}: ${response.status} without a SOAP envelope`);
  if (body.Fault !== undefined) {
    const fault = Fault.safeParse(body.Fault);
    if (!fault.success) return transient(`${where}: an unreadable SOAP fault`);
    const { faultcode, faultstring } = fault.data;
    const code = fault.data.detail?.ErrorCode ?? "";
    const said = `${where}: fault ${faultcode}${code ? ` ${code}` : ""}: ${faultstring}`;
    if (code === "AuthenticationFailed") return authFailed(said);
    if (code === "RateLimited") return throttled(said);
    return /(^|:)Client$/.test(faultcode) ? permanent(said) : transient(said);
  }
  const refused = statusOutcome(response, where);
  if (refused) return refused;
  const security = Security.safeParse((body.GetSecurityResponse as { Security?: unknown } | undefined)?.Security);
  if (!security.success) {
    const issue = security.error.issues[0]!;
    return permanent(`${where}: the answer does not fit the mapping: Security.${issue.path.join(".")}: ${issue.message}`);
  }
  const s = security.data;
  ctx.land(LandedSecurity.parse({ isin: s.ISIN, name: s.Name, currency: s.Currency, lastPrice: Number(s.LastPrice), asOf: s.AsOf, source: "atlas-securities" }));
  return ok({ currency: s.Currency });
});
