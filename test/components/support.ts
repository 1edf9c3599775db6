/**
 * The Pulumi mock runner, shared with `sluice policy-check`: see policies/offline/pulumi-mocks.ts.
 */
export { ACCOUNT, REGION, runUnderMocks, valueOf, ofType, named, type MockRun, type Registered } from "../../policies/offline/pulumi-mocks";
