/**
 * The Pulumi mock runner, shared with `sluice policy-check`: see local/pulumi-mocks.ts.
 */
export { ACCOUNT, REGION, runUnderMocks, valueOf, ofType, named, type MockRun, type Registered } from "../../local/pulumi-mocks";
