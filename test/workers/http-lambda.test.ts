import { expect } from "chai";
import { serializeProvider } from "../../runtime/catalog/provider";
import { validateProvider } from "../../runtime/catalog/validate";
import { CatalogError } from "../../runtime/errors";
import { HTTP_WORKER_ENV } from "../../runtime/lambda-env";
import { HttpWorkerConfigError, httpWorkerConfigFromEnv } from "../../runtime/workers/http/lambda";

const httpEntry = (settings: Record<string, unknown> = {}) =>
  serializeProvider(
    validateProvider({
      id: "meridian-funds",
      maxConcurrency: 4,
      worker: { module: "http", settings: { urlTemplate: "https://api.example/v2/{id}", secretId: "meridian/api-key", ...settings } },
    }),
  );

describe("http worker Lambda configuration", () => {
  it("re-validates the provider from the environment and takes the stack's bucket", () => {
    const config = httpWorkerConfigFromEnv({ [HTTP_WORKER_ENV.PROVIDER]: httpEntry(), [HTTP_WORKER_ENV.BUCKET]: "stack-landing" });
    expect(config.bucket).to.equal("stack-landing");
    expect(config.provider.id).to.equal("meridian-funds");
    expect(config.provider.worker.settings).to.deep.include({ authHeader: "Authorization", authScheme: "Bearer" });
  });

  it("prefers the provider's own bucket", () => {
    const config = httpWorkerConfigFromEnv({ [HTTP_WORKER_ENV.PROVIDER]: httpEntry({ bucket: "meridian-raw" }), [HTTP_WORKER_ENV.BUCKET]: "stack-landing" });
    expect(config.bucket).to.equal("meridian-raw");
  });

  const bad: [string, Record<string, string>, RegExp][] = [
    ["no provider", {}, /SLUICE_PROVIDER is not set/],
    ["a provider that is not JSON", { [HTTP_WORKER_ENV.PROVIDER]: "{nope" }, /SLUICE_PROVIDER is not JSON/],
    ["no bucket anywhere", { [HTTP_WORKER_ENV.PROVIDER]: httpEntry() }, /names no worker.settings.bucket and SLUICE_BUCKET is not set/],
    [
      "a chaos provider",
      { [HTTP_WORKER_ENV.PROVIDER]: serializeProvider(validateProvider({ id: "demo", maxConcurrency: 2, worker: { module: "chaos" } })), [HTTP_WORKER_ENV.BUCKET]: "b" },
      /worker.module "chaos", not "http"/,
    ],
  ];
  for (const [name, env, message] of bad) {
    it(`refuses ${name} with a message naming it`, () => {
      expect(() => httpWorkerConfigFromEnv(env)).to.throw(HttpWorkerConfigError, message);
    });
  }

  it("reports an invalid entry with the catalog's own message", () => {
    const entry = JSON.stringify({ id: "x1", maxConcurrency: 0, worker: { module: "http", settings: { urlTemplate: "http://plain/{id}", secretId: "s" } } });
    expect(() => httpWorkerConfigFromEnv({ [HTTP_WORKER_ENV.PROVIDER]: entry, [HTTP_WORKER_ENV.BUCKET]: "b" }))
      .to.throw(CatalogError, /SLUICE_PROVIDER: provider "x1".*maxConcurrency/s);
  });
});
