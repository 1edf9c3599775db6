/**
 * A port nobody listens on right now. Bound without a host, so it is free on
 * both IPv4 and IPv6: DynamoDB Local (Jetty) binds 0.0.0.0, kinesis-mock ::.
 */
import { createServer } from "node:net";

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("the system gave no free port"))));
    });
  });
}
