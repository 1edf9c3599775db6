/**
 * Reading props that may not be known yet. During a preview the engine wraps
 * props in @pulumi/policy's unknown-checking proxy: touching a value computed
 * from another resource's outputs (an ARN, an environment built with apply)
 * throws, and a policy that lets the throw escape is downgraded by the SDK to
 * one advisory "can't run during preview" for the whole resource or stack.
 * Policies read through `known`, so an unknown value only makes the one check
 * that needs it fall back.
 */
import { isUnknownValueError } from "./policy-internals";

export const UNKNOWN = Symbol("unknown during preview");
export type Known<T> = T | typeof UNKNOWN;

export function known<T>(read: () => T): Known<T> {
  try {
    return read();
  } catch (err) {
    if (isUnknownValueError(err)) return UNKNOWN;
    throw err;
  }
}

/** The tags of a resource as a plain record; UNKNOWN when the tags (or one value) are not known yet. */
export function knownTags(props: Record<string, any>): Known<Record<string, string>> {
  return known(() => {
    const tags = props.tags as Record<string, unknown> | undefined | null;
    if (tags === undefined || tags === null) return {};
    const plain: Record<string, string> = {};
    for (const [key, value] of Object.entries(tags)) if (typeof value === "string") plain[key] = value;
    return plain;
  });
}

/** A number prop: undefined when unset, UNKNOWN when not known yet. */
export function knownNumber(props: Record<string, any>, key: string): Known<number | undefined> {
  return known(() => {
    const value: unknown = props[key];
    return typeof value === "number" ? value : undefined;
  });
}
