import { expect } from "chai";
import { clientConfig, endpointFor } from "../../runtime/aws/clients";

describe("runtime/aws/clients", () => {
  const local = { AWS_ENDPOINT_URL_LAMBDA: "http://127.0.0.1:4000", AWS_REGION: "eu-west-2", AWS_ACCESS_KEY_ID: "k", AWS_SECRET_ACCESS_KEY: "s" };

  it("reads the endpoint, the region and the credentials of a function's environment, not the process's", () => {
    expect(endpointFor("LAMBDA", local)).to.equal("http://127.0.0.1:4000");
    expect(clientConfig("LAMBDA", { env: local })).to.deep.equal({
      region: "eu-west-2",
      endpoint: "http://127.0.0.1:4000",
      credentials: { accessKeyId: "k", secretAccessKey: "s" },
    });
  });

  it("gives local engines made-up credentials, and leaves AWS to the SDK's own chain", () => {
    expect(clientConfig("DYNAMODB", { env: { AWS_ENDPOINT_URL: "http://127.0.0.1:8000" } }).credentials).to.deep.equal({ accessKeyId: "local", secretAccessKey: "local" });
    expect(clientConfig("DYNAMODB", { env: { AWS_REGION: "us-west-2" } })).to.deep.equal({ region: "us-west-2" });
  });
});
