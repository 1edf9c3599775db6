/**
 * Lumen Ratings: credit ratings over a REST API behind OAuth2 client credentials.
 *
 * - The access token is cached per container until shortly before it expires
 *   (TOKEN_SKEW_MS early), keyed by token URL and client id.
 * - A 401 on the data call drops the token and tries once more with a fresh
 *   one; a second 401, or a token endpoint refusing the client, is an auth
 *   failure (sluice pauses the provider until an operator resumes it).
 * - The provider's answer is checked by a schema and mapped into the landing
 *   format; an answer that does not fit is permanent (its format changed:
 *   retrying cannot help; redrive once the mapping is fixed).
 */
import { authFailed, checkStatus, defineWorker, ok, permanent, providerUrl, statusOutcome, transient, type WorkerContext } from "sluice/worker";
import * as z from "zod";

const Settings = z.strictObject({
  baseUrl: providerUrl(),
  tokenUrl: providerUrl(),
  scope: z.string().min(1).default("ratings.read"),
});
type Settings = z.output<typeof Settings>;

/** What the provider answers for one issuer. */
const ProviderRating = z.object({
  issuer: z.object({ id: z.string(), name: z.string() }),
  rating: z.object({ grade: z.string().regex(/^(AAA|AA|A|BBB|BB|B|CCC|CC|C|D)[+-]?$/), outlook: z.enum(["positive", "stable", "negative", "developing"]), as_of: z.iso.date() }),
});

/** What lands: one JSON object per issuer and day. */
export const LandedRating = z.strictObject({
  issuerId: z.string(),
  issuerName: z.string(),
  grade: z.string(),
  outlook: z.string(),
  asOf: z.string(),
  source: z.literal("lumen-ratings"),
});
export type LandedRating = z.output<typeof LandedRating>;

const Token = z.object({ access_token: z.string().min(1), token_type: z.string(), expires_in: z.number().positive() });

export const TOKEN_SKEW_MS = 30_000;
const tokens = new Map<string, { value: string; expiresAt: number }>();

async function accessToken(ctx: WorkerContext<Settings>, fresh: boolean): Promise<string> {
  const clientId = await ctx.secret("clientId");
  const cacheKey = `${ctx.settings.tokenUrl} ${clientId}`;
  const cached = tokens.get(cacheKey);
  if (!fresh && cached && cached.expiresAt > Date.now()) return cached.value;
  const clientSecret = await ctx.secret("clientSecret");
  const response = await ctx.fetch(ctx.settings.tokenUrl, {
    method: "POST",
    headers: { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "client_credentials", scope: ctx.settings.scope }).toString(),
  });
  const where = `POST ${ctx.settings.tokenUrl}`;
  // RFC 6749: a refused client is 400 invalid_client (or 401).
  if (response.status === 400 || response.status === 401) throw authFailed(`${where}: ${response.status}: the token endpoint refused client ${clientId}`);
  checkStatus(response, where);
  const token = Token.safeParse(await response.json());
  if (!token.success) throw transient(`${where}: not a token response (${token.error.issues[0]?.message})`);
  const value = token.data.access_token;
  tokens.set(cacheKey, { value, expiresAt: Date.now() + token.data.expires_in * 1000 - TOKEN_SKEW_MS });
  return value;
}

export default defineWorker(Settings, async (record, ctx) => {
  const url = `${ctx.settings.baseUrl}/v1/ratings/${encodeURIComponent(record.id)}`;
  let response: Response | undefined;
  for (const fresh of [false, true]) {
    const token = await accessToken(ctx, fresh);
    response = await ctx.fetch(url, { headers: { authorization: `Bearer ${token}`, accept: "application/json" } });
    if (response.status !== 401) break;
    await response.body?.cancel();
  }
  const where = `GET ${url}`;
  if (response!.status === 401) return authFailed(`${where}: 401 with a freshly issued token`);
  const refused = statusOutcome(response!, where);
  if (refused) return refused;
  const parsed = ProviderRating.safeParse(await response!.json());
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return permanent(`${where}: the answer does not fit the mapping: ${issue.path.join(".")}: ${issue.message}`);
  }
  const { issuer, rating } = parsed.data;
  const landed: LandedRating = { issuerId: issuer.id, issuerName: issuer.name, grade: rating.grade, outlook: rating.outlook, asOf: rating.as_of, source: "lumen-ratings" };
  ctx.land(LandedRating.parse(landed));
  return ok({ grade: rating.grade });
});
