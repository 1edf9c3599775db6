export * from "./schema";
export * from "./provider";
export * from "./validate";
export * from "./load";
