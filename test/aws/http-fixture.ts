/** A node:http server on 127.0.0.1 and a port the OS picks, for fake service endpoints in tests. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface Fixture {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

export async function startServer(handler: (req: IncomingMessage, res: ServerResponse, body: Buffer) => unknown): Promise<Fixture> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      Promise.resolve(handler(req, res, Buffer.concat(chunks))).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(599, { "content-type": "text/plain" });
        res.end(`fixture failed: ${String(err)}`);
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** The error shape the SDK's REST-JSON and JSON protocols parse: type in x-amzn-errortype, message in the body. */
export function sendAwsError(res: ServerResponse, status: number, type: string, message: string, protocol: "rest-json" | "json-1.1" = "rest-json"): void {
  if (protocol === "json-1.1") {
    sendJson(res, status, { __type: type, message }, { "x-amzn-errortype": type, "content-type": "application/x-amz-json-1.1" });
  } else {
    sendJson(res, status, { Type: "User", message }, { "x-amzn-errortype": type });
  }
}

/** A clock tests move by hand. */
export class FakeClock {
  constructor(public t = 1_700_000_000_000) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

/** A sleep that records what it was asked and advances the fake clock instead of waiting. */
export function recordingSleep(clock?: FakeClock): { sleep: (ms: number) => Promise<void>; slept: number[] } {
  const slept: number[] = [];
  return {
    slept,
    sleep: async (ms: number) => {
      slept.push(ms);
      clock?.advance(ms);
    },
  };
}
