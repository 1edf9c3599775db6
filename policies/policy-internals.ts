/**
 * The parts of @pulumi/policy that its type declarations leave out (proxy.d.ts
 * and deserialize.d.ts are empty) but that policies and the offline check need:
 * the unknown-checking proxy the engine wraps props in, its error, its
 * sentinels, and the deserializer of wire properties. Typed here once.
 */
import * as deserializeModule from "@pulumi/policy/deserialize";
import * as proxyModule from "@pulumi/policy/proxy";

interface ProxyModule {
  unknownCheckingProxy<T extends object>(props: T): T;
  UnknownValueError: new (sentinel: string, path: PropertyKey[]) => Error;
  unknownBooleanValue: string;
  unknownNumberValue: string;
  unknownStringValue: string;
  unknownArrayValue: string;
  unknownObjectValue: string;
}

interface DeserializeModule {
  deserializeProperties(struct: { toJavaScript(): unknown }, proxySecrets: boolean): Record<string, unknown>;
}

const proxy = proxyModule as unknown as ProxyModule;
const deserialize = deserializeModule as unknown as DeserializeModule;

/** Wraps props so touching an unknown value throws, as the engine's analyzer server does. */
export function unknownCheckingProxy<T extends object>(props: T): T {
  return proxy.unknownCheckingProxy(props);
}

/** Whether `err` is the proxy's "value can't be known during preview". */
export function isUnknownValueError(err: unknown): err is Error {
  return err instanceof proxy.UnknownValueError;
}

/** What the engine sends for a value that is not known yet, by type. */
export const UNKNOWN_VALUE = {
  boolean: proxy.unknownBooleanValue,
  number: proxy.unknownNumberValue,
  string: proxy.unknownStringValue,
  array: proxy.unknownArrayValue,
  object: proxy.unknownObjectValue,
} as const;

/** Wire properties (JSON with Pulumi's asset and secret signatures) as policies receive them. */
export function deserializeWire(wire: Record<string, unknown>): Record<string, unknown> {
  return deserialize.deserializeProperties({ toJavaScript: () => structuredClone(wire) }, false);
}
