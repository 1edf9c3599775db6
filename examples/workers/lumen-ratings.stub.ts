/**
 * Lumen Ratings' stub: an OAuth2 token endpoint and the ratings API.
 *   "ISS-REVOKED"  answers 401 to any token (the credential was revoked)
 *   "ISS-MISSING"  404
 *   "ISS-BADFORM"  an answer whose grade the mapping refuses
 *   any other id   a rating derived from the id
 * Tokens expire after `tokenLifetimeSeconds`; `issued` counts the tokens handed out.
 */
import { defineStub, type StubRequest } from "sluice/stub";

export const CLIENT = { id: "stub-client", secret: "stub-secret" };
export const state = { issued: 0, tokenLifetimeSeconds: 3600, revoked: new Set<string>() };

const GRADES = ["AAA", "AA+", "AA", "A", "BBB-", "BB", "B+"];

function bearer(request: StubRequest): string | undefined {
  return /^Bearer (.+)$/.exec(request.headers.authorization ?? "")?.[1];
}

const live = new Map<string, number>();

export default defineStub({
  secrets: { clientId: CLIENT.id, clientSecret: CLIENT.secret },
  settings: (url) => ({ baseUrl: url, tokenUrl: `${url}/oauth2/token` }),
  handle(request) {
    if (request.path === "/oauth2/token") {
      const basic = Buffer.from(`${CLIENT.id}:${CLIENT.secret}`).toString("base64");
      if (request.headers.authorization !== `Basic ${basic}`) return { status: 401, json: { error: "invalid_client" } };
      if (new URLSearchParams(request.body).get("grant_type") !== "client_credentials") return { status: 400, json: { error: "unsupported_grant_type" } };
      const token = `tok-${++state.issued}`;
      live.set(token, Date.now() + state.tokenLifetimeSeconds * 1000);
      return { json: { access_token: token, token_type: "Bearer", expires_in: state.tokenLifetimeSeconds } };
    }
    const token = bearer(request);
    if (request.path.startsWith("/v1/ratings/") && (!token || state.revoked.has(token) || (live.get(token) ?? 0) < Date.now())) {
      return { status: 401, json: { error: "invalid_token" } };
    }
    return undefined;
  },
  records: {
    route: "/v1/ratings/{id}",
    responses: {
      "ISS-MISSING": { status: 404, json: { error: "unknown issuer" } },
      "ISS-BADFORM": { json: { issuer: { id: "ISS-BADFORM", name: "Bad Form plc" }, rating: { grade: "excellent", outlook: "stable", as_of: "2026-12-01" } } },
      "ISS-REVOKED": { status: 401, json: { error: "invalid_token" } },
    },
    otherwise: (id) => ({
      json: {
        issuer: { id, name: `Issuer ${id}` },
        rating: { grade: GRADES[[...id].reduce((n, c) => n + c.charCodeAt(0), 0) % GRADES.length], outlook: "stable", as_of: "2026-12-01" },
      },
    }),
  },
});
