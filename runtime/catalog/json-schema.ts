/** The JSON Schema of providers.json, generated from the zod definition so the two cannot drift. */
import * as z from "zod";
import { catalogSchema } from "./schema";

export const SCHEMA_FILE = "providers.schema.json";

export function catalogJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(catalogSchema, { io: "input", target: "draft-2020-12" }) as Record<string, unknown>;
  return { ...schema, $id: "https://sluice.dev/providers.schema.json", title: "sluice provider catalog" };
}

export function renderCatalogJsonSchema(): string {
  return JSON.stringify(catalogJsonSchema(), null, 2) + "\n";
}
