import { expect } from "chai";
import { functionNameOf, streamNameOf } from "../../../local/lambda-emulator/arn";

describe("Lambda API names and ARNs", () => {
  const functions: [string, string][] = [
    ["worker", "worker"],
    ["worker:$LATEST", "worker"],
    ["123456789012:function:worker", "worker"],
    ["123456789012:function:worker:live", "worker"],
    ["arn:aws:lambda:eu-west-1:123456789012:function:worker", "worker"],
    ["arn:aws:lambda:eu-west-1:123456789012:function:worker:7", "worker"],
  ];
  for (const [given, name] of functions) it(`reads the function name of ${given}`, () => expect(functionNameOf(given)).to.equal(name));

  const streams: [string, string | undefined][] = [
    ["arn:aws:kinesis:us-east-1:000000000000:stream/orders", "orders"],
    ["arn:aws-cn:kinesis:cn-north-1:000000000000:stream/orders", "orders"],
    ["arn:aws:kinesis:us-east-1:000000000000:stream/orders/consumer/c:1", undefined],
    ["arn:aws:sqs:us-east-1:000000000000:orders", undefined],
  ];
  for (const [given, name] of streams) it(`reads the stream name of ${given} as ${name}`, () => expect(streamNameOf(given)).to.equal(name));
});
