/**
 * The end-to-end pipelines run the deployed ventilator: runtime/ventilator/lambda.ts
 * builds it at the first invocation from the environment the Pulumi
 * component gives the function (components/environment.ts), plus the Lambda
 * runtime's variables and the engines' endpoints, exactly as on AWS.
 */
import { expect } from "chai";
import { ventilatorEnvironment } from "../../components/environment";
import { DEFAULT_METRICS_NAMESPACE, VENTILATOR_ENV } from "../../runtime/lambda-env";
import { LEDGER_STATUS } from "../../runtime/ledger/types";
import { e2eProvider, ids, settle, startPipeline, useEngines } from "./support";
import { eventually } from "../support/eventually";

describe("the ventilator's entry point end to end", function () {
  this.timeout(120_000);
  const engines = useEngines();

  it("is built from the component's environment, the Lambda runtime's and the engines' endpoints, and processes a batch", async () => {
    const provider = e2eProvider({ latencyThresholdMs: 2_000, worker: { module: "chaos", timeoutSeconds: 5 } });
    const pipeline = await startPipeline(engines(), { provider });
    try {
      const component = ventilatorEnvironment(provider, {
        tableName: pipeline.names.table,
        streamArn: pipeline.streamArn,
        workerFunctionName: pipeline.names.worker,
        metricsNamespace: DEFAULT_METRICS_NAMESPACE,
      });
      expect(pipeline.ventilatorEnvironment).to.include(component);
      expect(pipeline.ventilatorEnvironment).to.include({
        AWS_LAMBDA_FUNCTION_NAME: pipeline.names.ventilator,
        AWS_ENDPOINT_URL_LAMBDA: engines().emulator.endpoint,
        AWS_ENDPOINT_URL_DYNAMODB: engines().dynamoEndpoint,
        [VENTILATOR_ENV.MAPPING_MIN_UPDATE_INTERVAL_MS]: "0",
      });
      const records = ids("entry", 8);
      await pipeline.enqueue(records.map((id) => ({ id })));
      const found = await settle(pipeline, records, 60_000);
      expect([...found.values()].every((e) => e?.status === LEDGER_STATUS.DONE)).to.equal(true);
    } finally {
      await pipeline.stop();
    }
  });

  it("fails every invocation the way the deployed function would when its environment is broken", async () => {
    const provider = e2eProvider();
    const pipeline = await startPipeline(engines(), { provider, environment: { [VENTILATOR_ENV.PROVIDER]: '{"id":' } });
    try {
      await pipeline.enqueue([{ id: "never" }]);
      const invocations = () => engines().emulator.functions.invocationsOf(pipeline.names.ventilator);
      await eventually("the ventilator failed an invocation", () => invocations().some((i) => i.outcome === "error"), 30_000);
      const failed = invocations().find((i) => i.outcome === "error")!;
      expect(failed).to.include({ errorType: "VentilatorConfigError" });
      expect(failed.errorMessage).to.match(/^SLUICE_PROVIDER is not JSON/);
      expect(pipeline.calls).to.deep.equal([]);
    } finally {
      await pipeline.stop();
    }
  });
});
