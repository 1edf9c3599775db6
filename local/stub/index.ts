/** `sluice/stub`: what a provider's stub (`workers/<id>.stub.ts`) and its tests import. See docs/workers.md. */
export { defineStub, type Stub, type StubDefinition, type StubRequest, type StubResponse, type StubRecords } from "./define";
export { startStubServer, type StubServer, type StubServerOptions } from "./server";
export { openWorker, tryWorker, type TryOptions, type TryResult, type WorkerSession } from "./try";
