/** Where a worker's landed body goes: always under `<provider>/<day>/`, which the worker's IAM grant is scoped to. */
import type { WorkerRequest } from "../contract";

const EXTENSIONS: [RegExp, string][] = [
  [/json/i, ".json"],
  [/xml/i, ".xml"],
  [/csv/i, ".csv"],
  [/^text\//i, ".txt"],
];

export function extensionFor(contentType: string): string {
  return EXTENSIONS.find(([re]) => re.test(contentType))?.[1] ?? ".bin";
}

/** The prefix a provider's objects land under, for a day. */
export function dayPrefix(request: Pick<WorkerRequest, "providerId" | "day">): string {
  return `${request.providerId}/${request.day}/`;
}

/** Full key of a landed body; a chosen key is kept under the day's prefix and may not climb out of it. */
export function landingKey(request: Pick<WorkerRequest, "providerId" | "day" | "recordId">, contentType: string, key?: string): string {
  if (key === undefined) return `${dayPrefix(request)}${encodeURIComponent(request.recordId)}${extensionFor(contentType)}`;
  if (key === "" || key.startsWith("/") || key.split("/").some((part) => part === ".." || part === "." || part === "")) {
    throw new RangeError(`ctx.land: key ${JSON.stringify(key)} must be a relative path without empty, "." or ".." parts`);
  }
  return `${dayPrefix(request)}${key}`;
}
