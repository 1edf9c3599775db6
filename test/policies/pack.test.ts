/**
 * The pack as the Pulumi CLI runs it: policies/index.ts started in its own
 * process by @pulumi/pulumi's run-policy-pack (ts-node, type-checked, from the
 * policies/ directory, reading policies/package.json), driven over gRPC with
 * the analyzer calls the engine makes: GetAnalyzerInfo, ConfigureStack,
 * Configure, Analyze per resource, AnalyzeStack. Its answers for the real
 * program's registrations must equal the offline evaluator's, which is what
 * `sluice policy-check` and the other tests rely on.
 */
import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as analyzerRpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzerProto from "@pulumi/pulumi/proto/analyzer_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import type { EnforcementLevel } from "@pulumi/policy";
import { defaultPolicyClock, NOW_ENV } from "../../policies/clock";
import { CONCURRENCY_CAP } from "../../policies/concurrency-cap";
import { MAINTENANCE_WINDOW } from "../../policies/maintenance-window";
import { analyze, normalizePackConfig, type Diagnostic } from "../../policies/offline/analyze";
import { checkProgram, stackTags } from "../../policies/offline/check-program";
import { PACK_DIR, sluicePack } from "../../policies/offline/pack-under-test";
import type { WireResource } from "../../policies/offline/wire-resource";
import { TYPE } from "../../policies/resource-types";
import { UNKNOWN } from "./harness";

const ROOT = path.resolve(PACK_DIR, "..");
/** Inside meridian-funds' Sunday maintenance. */
const NOW = "2026-01-04T02:00:00Z";
/** A tightened cap (string-form refusals) and an override (per-violation advisories, the object form of reportViolation). */
const CONFIG = { [CONCURRENCY_CAP]: { caps: { "meridian-funds": 6 } }, [MAINTENANCE_WINDOW]: { override: { providers: ["meridian-funds"], reason: "INC-1" } } };

const LEVEL: Record<EnforcementLevel, analyzerProto.EnforcementLevel> = {
  advisory: analyzerProto.EnforcementLevel.ADVISORY,
  mandatory: analyzerProto.EnforcementLevel.MANDATORY,
  disabled: analyzerProto.EnforcementLevel.DISABLED,
  remediate: analyzerProto.EnforcementLevel.REMEDIATE,
};
const LEVEL_NAME = new Map(Object.entries(LEVEL).map(([k, v]) => [v, k as EnforcementLevel]));

function startPack(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; port: number }> {
  const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [PACK_DIR] });
  const child = spawn(process.execPath, [runner, "127.0.0.1:0", "."], { cwd: PACK_DIR, env, stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const m = /^(\d+)\s*$/m.exec(out);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.stderr!.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.on("exit", (code) => reject(new Error(`the pack exited with ${code} before serving:\n${err}${out}`)));
  });
}

function call<Req, Res>(fn: (req: Req, cb: (e: grpc.ServiceError | null, r: Res) => void) => unknown, req: Req): Promise<Res> {
  return new Promise((resolve, reject) => fn(req, (e, r) => (e ? reject(e) : resolve(r))));
}

function options(r: WireResource): analyzerProto.AnalyzerResourceOptions {
  const o = new analyzerProto.AnalyzerResourceOptions();
  o.setProtect(r.options.protect);
  o.setIgnorechangesList(r.options.ignoreChanges);
  o.setAliasesList(r.options.aliases);
  o.setAdditionalsecretoutputsList(r.options.additionalSecretOutputs);
  const t = new analyzerProto.AnalyzerResourceOptions.CustomTimeouts();
  t.setCreate(r.options.customTimeouts.createSeconds);
  t.setUpdate(r.options.customTimeouts.updateSeconds);
  t.setDelete(r.options.customTimeouts.deleteSeconds);
  o.setCustomtimeouts(t);
  if (r.parent) o.setParent(r.parent);
  return o;
}

const struct = (wire: Record<string, unknown>) => Struct.fromJavaScript(wire as Parameters<typeof Struct.fromJavaScript>[0]);

function fromWire(d: analyzerProto.AnalyzeDiagnostic, urn?: string): Omit<Diagnostic, "description"> {
  const target = d.getUrn() || urn;
  return {
    policyName: d.getPolicyname(),
    policyPackName: d.getPolicypackname(),
    policyPackVersion: d.getPolicypackversion(),
    message: d.getMessage(),
    enforcementLevel: LEVEL_NAME.get(d.getEnforcementlevel())!,
    ...(target ? { urn: target } : {}),
  };
}

describe("the policy pack served to the Pulumi CLI", function () {
  this.timeout(180_000);
  let child: ChildProcess;
  let client: analyzerRpc.AnalyzerClient;

  before(async () => {
    const env = { ...process.env, [NOW_ENV]: NOW };
    const started = await startPack(env);
    child = started.child;
    client = new analyzerRpc.AnalyzerClient(`127.0.0.1:${started.port}`, grpc.credentials.createInsecure());
  });
  after(() => {
    client?.close();
    child?.kill();
  });

  it("describes the same policies, levels and config schemas as pack.ts", async () => {
    const info = await call<Empty, analyzerProto.AnalyzerInfo>(client.getAnalyzerInfo.bind(client), new Empty());
    const pack = sluicePack();
    expect(info.getName()).to.equal("sluice");
    expect(info.getVersion()).to.equal(pack.version);
    expect(info.getPoliciesList().map((p) => [p.getName(), LEVEL_NAME.get(p.getEnforcementlevel())])).to.deep.equal(
      pack.policies.map((p) => [p.name, p.enforcementLevel]),
    );
    const caps = info.getPoliciesList().find((p) => p.getName() === CONCURRENCY_CAP)!.getConfigschema()!.getProperties()!.toJavaScript();
    expect(caps.caps).to.deep.include({ type: "object" });
  });

  it("answers the engine's calls for the real program exactly as the offline evaluator does", async () => {
    const clock = defaultPolicyClock({ [NOW_ENV]: NOW });
    const check = await checkProgram({ catalogPath: path.join(ROOT, "providers.json"), stack: "dev", clock });
    // A preview of a new pipeline: values computed from other resources' outputs are unknown.
    const previewed = check.registrations.map((r) =>
      r.name === "demo-ventilator" ? { ...r, inputs: { ...r.inputs, environment: UNKNOWN.object }, outputs: { ...r.outputs, environment: UNKNOWN.object } } : r,
    );
    const pack = sluicePack(clock);
    const config = normalizePackConfig(pack, CONFIG, "config");
    const offline = await analyze(pack, previewed, { config, stackTags: stackTags() });

    const stack = new analyzerProto.AnalyzerStackConfigureRequest();
    stack.setStack("dev");
    stack.setProject("sluice");
    for (const [k, v] of stackTags()) stack.getTagsMap().set(k, v);
    await call<analyzerProto.AnalyzerStackConfigureRequest, unknown>(client.configureStack.bind(client), stack);
    const configure = new analyzerProto.ConfigureAnalyzerRequest();
    for (const policy of pack.policies) {
      // The engine sends every policy's effective level with its properties.
      const c = new analyzerProto.PolicyConfig();
      c.setEnforcementlevel(LEVEL[config[policy.name]?.enforcementLevel ?? policy.enforcementLevel ?? "advisory"]);
      c.setProperties(struct(config[policy.name]?.properties ?? {}));
      configure.getPolicyconfigMap().set(policy.name, c);
    }
    await call<analyzerProto.ConfigureAnalyzerRequest, unknown>(client.configure.bind(client), configure);

    const served: Omit<Diagnostic, "description">[] = [];
    for (const r of previewed) {
      const req = new analyzerProto.AnalyzeRequest();
      req.setType(r.type);
      req.setName(r.name);
      req.setUrn(r.urn);
      req.setProperties(struct(r.inputs));
      req.setOptions(options(r));
      const res = await call<analyzerProto.AnalyzeRequest, analyzerProto.AnalyzeResponse>(client.analyze.bind(client), req);
      served.push(...res.getDiagnosticsList().map((d) => fromWire(d, r.urn)));
    }
    const all = new analyzerProto.AnalyzeStackRequest();
    all.setResourcesList(
      previewed.map((r) => {
        const res = new analyzerProto.AnalyzerResource();
        res.setType(r.type);
        res.setName(r.name);
        res.setUrn(r.urn);
        res.setProperties(struct(r.outputs));
        res.setOptions(options(r));
        if (r.parent) res.setParent(r.parent);
        res.setDependenciesList(r.dependencies);
        for (const [key, urns] of Object.entries(r.propertyDependencies)) {
          const deps = new analyzerProto.AnalyzerPropertyDependencies();
          deps.setUrnsList(urns);
          res.getPropertydependenciesMap().set(key, deps);
        }
        return res;
      }),
    );
    const stackRes = await call<analyzerProto.AnalyzeStackRequest, analyzerProto.AnalyzeResponse>(client.analyzeStack.bind(client), all);
    served.push(...stackRes.getDiagnosticsList().map((d) => fromWire(d)));

    const expected = offline.diagnostics.map(({ description: _d, ...rest }) => rest);
    expect(served).to.deep.equal(expected);
    // The scenario exercises what matters: refusals from a tightened cap, overridden windows as advisories, and an unknown environment.
    expect(new Set(expected.map((d) => `${d.enforcementLevel} ${d.policyName}`))).to.deep.equal(
      new Set([`advisory ${MAINTENANCE_WINDOW}`, `mandatory ${CONCURRENCY_CAP}`]),
    );
    expect(previewed.some((r) => r.type === TYPE.FUNCTION && r.inputs.environment === UNKNOWN.object)).to.equal(true);
  });
});
