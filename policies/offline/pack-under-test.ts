/**
 * The sluice pack as the offline check runs it: the same policies index.ts
 * serves, the version PolicyPack would read from policies/package.json, and
 * the clock of the caller's choosing.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import type { PolicyClock } from "../clock";
import { PACK_ENFORCEMENT_LEVEL, PACK_NAME, sluicePolicies } from "../pack";
import type { PackUnderTest } from "./analyze";

export const PACK_DIR = path.resolve(__dirname, "..");

export function packVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(PACK_DIR, "package.json"), "utf8")) as { version?: unknown };
  if (typeof pkg.version !== "string" || pkg.version === "") throw new Error(`${path.join(PACK_DIR, "package.json")} has no version`);
  return pkg.version;
}

export function sluicePack(clock?: PolicyClock): PackUnderTest {
  return { name: PACK_NAME, version: packVersion(), enforcementLevel: PACK_ENFORCEMENT_LEVEL, policies: sluicePolicies(clock ? { clock } : {}) };
}
