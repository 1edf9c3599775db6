/**
 * Reading SDK v3 errors without importing service-specific classes: the
 * adapters classify by the error's name (the service's error type) and the
 * HTTP status the SDK recorded, so no SDK type leaks past them.
 */

/** The SDK error's name (its `__type` / x-amzn-errortype), or undefined for non-errors. */
export function errorName(err: unknown): string | undefined {
  return err !== null && typeof err === "object" && typeof (err as { name?: unknown }).name === "string"
    ? (err as { name: string }).name
    : undefined;
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

/** HTTP status the SDK recorded for a failed call; undefined when the call never got an answer (network). */
export function httpStatusOf(err: unknown): number | undefined {
  const meta = (err as { $metadata?: { httpStatusCode?: unknown } } | null)?.$metadata;
  return typeof meta?.httpStatusCode === "number" ? meta.httpStatusCode : undefined;
}

/** "Name: message" for logs and reasons; the bare message when the error has no service name. */
export function describeError(err: unknown): string {
  const name = errorName(err);
  return name && name !== "Error" ? `${name}: ${errorMessage(err)}` : errorMessage(err);
}
