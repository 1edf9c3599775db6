/**
 * The restJson1 wire on node:http: a request's body and headers in, an answer
 * (status, headers, JSON body) out. A LambdaApiError goes out as Lambda sends
 * errors: its type in x-amzn-errortype, Retry-After when throttled; anything
 * else is a 500 ServiceException.
 */
import type { IncomingMessage } from "node:http";
import { LambdaApiError, LAMBDA_ERROR } from "./api-errors";

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export function parseJson(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(body.toString("utf8"));
  } catch (error) {
    throw new LambdaApiError(LAMBDA_ERROR.INVALID_REQUEST_CONTENT, `Could not parse request body into json: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new LambdaApiError(LAMBDA_ERROR.INVALID_REQUEST_CONTENT, "The request body must be a JSON object");
  return value as Record<string, unknown>;
}

export function json(status: number, value: unknown): Answer {
  return { status, body: JSON.stringify(value) };
}

export function errorAnswer(error: unknown): Answer {
  if (error instanceof LambdaApiError) {
    const headers: Record<string, string> = { "x-amzn-errortype": error.type };
    if (error.extra.retryAfterSeconds !== undefined) headers["retry-after"] = String(error.extra.retryAfterSeconds);
    return { status: error.status, headers, body: JSON.stringify(error.body()) };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { status: 500, headers: { "x-amzn-errortype": "ServiceException" }, body: JSON.stringify({ Type: "Service", Message: message }) };
}

export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}
