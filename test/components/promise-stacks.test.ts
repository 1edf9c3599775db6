import { expect } from "chai";
import { PULUMI_DEBUG_PROMISE_LEAKS, withoutPromiseStacks } from "../../components/promise-stacks";

describe("components/promise-stacks", () => {
  it("registers with no stack frames and puts the limit back, also after a throw", () => {
    const before = Error.stackTraceLimit;
    expect(withoutPromiseStacks(() => [Error.stackTraceLimit, new Error("x").stack], {})).to.deep.equal([0, "Error: x"]);
    expect(Error.stackTraceLimit).to.equal(before);
    expect(() => withoutPromiseStacks(() => {
      throw new TypeError("boom");
    }, {})).to.throw(TypeError, "boom");
    expect(Error.stackTraceLimit).to.equal(before);
  });

  it("keeps full traces when the Pulumi SDK's promise-leak report is asked for", () => {
    const before = Error.stackTraceLimit;
    expect(withoutPromiseStacks(() => Error.stackTraceLimit, { [PULUMI_DEBUG_PROMISE_LEAKS]: "1" })).to.equal(before);
  });
});
