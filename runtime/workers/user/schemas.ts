/** Schemas a worker's settings commonly need. */
import * as z from "zod";

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * A provider URL: https, or plain http to this machine only (a stub in tests
 * and local mode). A deployed worker never sends a credential in clear.
 */
export function providerUrl() {
  return z.url().refine(
    (text) => {
      const url = new URL(text);
      return url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK.has(url.hostname));
    },
    { message: "expected an https URL (plain http only to localhost)" },
  );
}
