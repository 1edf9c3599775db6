/**
 * The operator commands on the local engines (kinesis-mock, DynamoDB Local,
 * the Lambda emulator): enqueue into real streams, status / pause / resume /
 * reset-breaker on pipelines that run the production ventilator, named by
 * the component's convention for stack "local".
 */
import { expect } from "chai";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pipelineNames } from "../../components/naming";
import { createStream } from "../../local/engines/kinesis";
import type { LocalPipeline } from "../../local/pipeline";
import { LEDGER_STATUS } from "../../runtime/ledger/types";
import { chaosProfile, e2eProvider, ids, okCallsPerRecord, settle, startPipeline, useEngines } from "../e2e/support";
import { eventually } from "../support/eventually";
import { catalogFile, readStream, refusingKinesisProxy, runCli, spawnCli, tempDir, tempFile } from "./support";

const STACK = ["--stack", "local"];

describe("operator commands on the local engines", function () {
  this.timeout(60_000);
  const engines = useEngines();
  const env = () => engines().environment;
  const cli = (...args: string[]) => runCli(args, env());

  describe("enqueue", () => {
    const provider = e2eProvider();
    const names = pipelineNames("local", provider.id);
    const spare = e2eProvider();
    const notDeployed = e2eProvider();
    let catalog: string;
    before(async function () {
      this.timeout(30_000);
      catalog = catalogFile([provider, spare, notDeployed]);
      await Promise.all([createStream(engines().kinesis, names.stream, 1), createStream(engines().kinesis, pipelineNames("local", spare.id).stream, 1)]);
    });

    it("sends a few thousand ids once each, skipping blank lines and duplicates, and counts them", async () => {
      const unique = ids("bulk", 2_000);
      const lines = [...unique.slice(0, 1_000), "", "  ", ...unique.slice(0, 25), ...unique.slice(1_000), ""];
      const file = tempFile("ids.txt", lines.join("\n"));
      const r = await cli("enqueue", "-p", provider.id, "-f", file, "-c", catalog, ...STACK, "--json");
      expect(r.stderr).to.equal("");
      expect(r.code).to.equal(0);
      const summary = JSON.parse(r.stdout);
      expect(summary).to.deep.include({ provider: provider.id, stream: names.stream, records: 2_000, duplicates: 25, conflictingDuplicates: 0, blankLines: 2, sent: 2_000, retried: 0, failed: [], adHoc: false });
      const onStream = await readStream(engines().kinesis, names.stream);
      expect(onStream).to.have.length(2_000);
      expect(onStream.map((x) => x.id)).to.have.members(unique);
      expect(onStream.every((x) => x.adHoc === undefined && typeof x.enqueuedAt === "number")).to.equal(true);
    });

    it("refuses a file with malformed lines, naming each line, and sends nothing", async () => {
      const file = tempFile("bad.jsonl", ['{"id": "ok-1"}', "", '{"id": "x",, }', "ok-2", '{"ID": "typo"}', "{"].join("\n"));
      const r = await cli("enqueue", "-p", spare.id, "-f", file, "-c", catalog, ...STACK);
      expect(r.code).to.equal(1);
      expect(r.stdout).to.equal("");
      const lines = r.stderr.trim().split("\n");
      expect(lines).to.have.length(4);
      expect(lines[0]!.startsWith(`${file}:3: invalid JSON: `), lines[0]).to.equal(true);
      expect(lines[1]).to.equal(`${file}:5: unknown field "ID": a line holds only "id" and "payload"`);
      expect(lines[2]!.startsWith(`${file}:6: invalid JSON: `), lines[2]).to.equal(true);
      expect(lines[3]).to.equal(`${file}: 3 bad line(s); nothing was sent`);
      expect(await readStream(engines().kinesis, pipelineNames("local", spare.id).stream)).to.deep.equal([]);
    });

    it("checks input and stream without sending on --dry-run", async () => {
      const r = await cli("enqueue", "-p", spare.id, "-f", tempFile("ok.txt", "d-1\nd-2\n"), "--dry-run", "-c", catalog, ...STACK);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.match(new RegExp(`^${spare.id}: dry run: 2 scheduled records would go to stream ${pipelineNames("local", spare.id).stream}; nothing was sent\n`));
      expect(await readStream(engines().kinesis, pipelineNames("local", spare.id).stream)).to.deep.equal([]);
    });

    it("reports an unknown provider, an unreadable file and a provider that is not deployed in one line each", async () => {
      const file = tempFile("ids.txt", "a\n");
      const unknown = await cli("enqueue", "-p", "nope", "-f", file, "-c", catalog, ...STACK);
      expect(unknown).to.deep.equal({ code: 1, stdout: "", stderr: `unknown provider "nope": ${catalog} declares ${provider.id}, ${spare.id}, ${notDeployed.id}\n` });

      const missing = await cli("enqueue", "-p", provider.id, "-f", "/nonexistent/ids.txt", "-c", catalog, ...STACK);
      expect(missing).to.deep.equal({ code: 1, stdout: "", stderr: "cannot read records from /nonexistent/ids.txt: no such file\n" });
      const dir = await cli("enqueue", "-p", provider.id, "-f", tempDir(), "-c", catalog, ...STACK);
      expect(dir.stderr).to.match(/^cannot read records from .*: is a directory\n$/);

      const absent = await cli("enqueue", "-p", notDeployed.id, "-f", file, "-c", catalog, ...STACK);
      expect(absent).to.deep.equal({
        code: 1,
        stdout: "",
        stderr: `provider "${notDeployed.id}" is not deployed in stack "local": stream ${pipelineNames("local", notDeployed.id).stream} not found\n`,
      });

      const noProvider = await cli("enqueue", "-f", file);
      expect(noProvider.code).to.equal(1);
      expect(noProvider.stderr).to.match(/required option '-p, --provider <id>' not specified/);
    });

    it("lists the records Kinesis refused, saves them to a file enqueue reads back, and exits 1", async () => {
      const refusing = e2eProvider();
      const stream = pipelineNames("local", refusing.id).stream;
      await createStream(engines().kinesis, stream, 1);
      const proxy = await refusingKinesisProxy(engines().kinesisEndpoint, (data) => data.includes("poison"));
      const through = { ...env(), AWS_ENDPOINT_URL_KINESIS: proxy.url };
      const cat = catalogFile([refusing]);
      const input = tempFile("in.jsonl", ['poison-1', '{"id": "poison-2", "payload": {"n": 2}}', "poison-3"].join("\n"));
      try {
        const unsent = join(tempDir(), "unsent.jsonl");
        const r = await runCli(["enqueue", "-p", refusing.id, "-f", input, "--failed-to", unsent, "-c", cat, ...STACK], through);
        expect(r.code).to.equal(1);
        expect(r.stdout).to.include("0 of 3 scheduled records sent");
        expect(r.stdout).to.include("failed    3 NOT sent\n    3 × AccessDeniedException: not allowed to write this record: line 1 (poison-1), line 2 (poison-2), line 3 (poison-3)");
        expect(r.stderr).to.equal(`3 of 3 records could not be sent to stream ${stream}; they are in ${unsent}: sluice enqueue -p ${refusing.id} -f ${unsent} (re-sending is safe: the ledger fetches a record once per provider day)\n`);
        expect(readFileSync(unsent, "utf8")).to.equal('poison-1\n{"id":"poison-2","payload":{"n":2}}\npoison-3\n');

        // Without --failed-to they land in the current directory.
        const cwd = process.cwd();
        const here = tempDir();
        process.chdir(here);
        try {
          const d = await runCli(["enqueue", "-p", refusing.id, "-f", input, "-c", cat, ...STACK], through);
          expect(d.code).to.equal(1);
          expect(readdirSync(here).filter((f) => f.startsWith(`sluice-unsent-${refusing.id}-`))).to.have.length(1);
        } finally {
          process.chdir(cwd);
        }

        const resent = await cli("enqueue", "-p", refusing.id, "-f", unsent, "-c", cat, ...STACK, "--json");
        expect(resent.code, resent.stderr).to.equal(0);
        expect(JSON.parse(resent.stdout)).to.deep.include({ records: 3, sent: 3 });
        expect((await readStream(engines().kinesis, stream)).map((x) => [x.id, x.payload])).to.deep.equal([
          ["poison-1", undefined],
          ["poison-2", { n: 2 }],
          ["poison-3", undefined],
        ]);
      } finally {
        await proxy.close();
      }
    });

    it("succeeds with nothing to send on an input of blank lines", async () => {
      const r = await cli("enqueue", "-p", provider.id, "-f", tempFile("blank.txt", "\n\n"), "-c", catalog, ...STACK);
      expect(r.code).to.equal(0);
      expect(r.stdout).to.match(/nothing to send: .*blank\.txt holds no record ids/);
    });

    it("reads ids from stdin as a child process, through bin/sluice.js", async () => {
      const stream = pipelineNames("local", notDeployed.id).stream;
      await createStream(engines().kinesis, stream, 1);
      const r = await spawnCli(["enqueue", "-p", notDeployed.id, "-c", catalog, "--ad-hoc", ...STACK], { env: env(), input: "c-1\nc-2\n\nc-1\n" });
      expect(r.stderr).to.equal("");
      expect(r.code).to.equal(0);
      expect(r.stdout).to.match(new RegExp(`^${notDeployed.id}: 2 of 2 ad-hoc records sent to stream ${stream}\n  input     stdin: 2 records, 1 duplicate id\\(s\\) skipped, 1 blank line\\(s\\)`));
      const onStream = await readStream(engines().kinesis, stream);
      expect(onStream.map((x) => [x.id, x.adHoc])).to.deep.equal([
        ["c-1", true],
        ["c-2", true],
      ]);
    });
  });

  describe("pause, status and resume on a running pipeline", () => {
    it("pause stops the calls and status shows who paused; resume lets every record through once", async () => {
      const provider = e2eProvider({ controller: { strategy: "step", rearmIntervalMinutes: 60 } });
      const idle = e2eProvider();
      const catalog = catalogFile([provider, idle]);
      const pipeline = await startPipeline(engines(), { provider, chaos: chaosProfile({ baseLatencyMs: 150 }) });
      try {
        const scheduled = ids("sched", 30);
        const adHoc = ids("adhoc", 20);
        const first = await cli("enqueue", "-p", provider.id, "-f", tempFile("s.txt", scheduled.join("\n")), "-c", catalog, ...STACK);
        expect(first.code, first.stderr).to.equal(0);
        await eventually("the provider to be called", () => pipeline.calls.length >= 5, 20_000);

        // The re-arm schedule (every 300 ms here) races the command to the same change: the command's
        // update may land on a mapping that already made it, and then answers Updating.
        const paused = await cli("pause", "-p", provider.id, "--by", "alice", "--reason", "provider incident INC-9", "-c", catalog, ...STACK);
        expect(paused.stderr).to.equal("");
        expect(paused.code).to.equal(0);
        expect(paused.stdout, paused.stdout).to.match(new RegExp(`^${provider.id}: paused by alice in stack "local": provider incident INC-9\n  recorded  pause by alice at .* in the ledger's audit\n  mapping   (Disabl(ing|ed)|Updating), mapping batch size \\d+ \\(asked: disable\\)\n$`));

        // Records enqueued while paused wait in the stream.
        const second = await cli("enqueue", "-p", provider.id, "-f", tempFile("a.txt", adHoc.join("\n")), "--ad-hoc", "-c", catalog, ...STACK);
        expect(second.code, second.stderr).to.equal(0);
        await eventually("the mapping to be disabled", () => pipeline.mapping.mapping.state === "Disabled", 10_000);
        await quiet(pipeline, 800);
        const callsWhilePaused = pipeline.calls.length;
        const polls = pipeline.mapping.poller.shards.map((sh) => sh.polls);
        await eventually("the disabled mapping's poller looks ten more times", () => pipeline.mapping.poller.shards.every((sh, i) => sh.polls >= polls[i]! + 10), 10_000);
        expect(pipeline.calls.length, "calls after the pause took effect").to.equal(callsWhilePaused);
        expect(callsWhilePaused).to.be.below(scheduled.length);

        // The stack may come from the environment.
        const again = await runCli(["pause", "-p", provider.id, "-c", catalog], { ...env(), SLUICE_STACK: "local" });
        expect(again.code).to.equal(0);
        expect(again.stdout).to.match(/already paused by alice since .*: provider incident INC-9; nothing changed/);

        const status = await cli("status", "-c", catalog, ...STACK, "--json");
        expect(status.code, status.stderr).to.equal(0);
        const report = JSON.parse(status.stdout);
        expect(report.source).to.equal('stack "local"');
        const [mine, other] = report.providers;
        expect(mine).to.deep.include({ id: provider.id, deployment: "deployed", missing: [], errors: [] });
        expect(mine.mapping.state).to.equal("Disabled");
        expect(mine.pause).to.deep.include({ reason: "operator", by: "alice", note: "provider incident INC-9" });
        expect(mine.breaker).to.deep.equal({ status: "closed" });
        expect(mine.window).to.deep.equal({ open: true, reason: null, nextChange: null });
        expect(mine.today.done).to.be.greaterThan(0);
        expect(mine.recentActions.map((a: { action: string; by: string }) => [a.action, a.by])).to.deep.equal([["pause", "alice"]]);
        expect(other).to.deep.include({ id: idle.id, deployment: "not-deployed", mapping: null, controller: null });
        expect(other.missing).to.include(`table ${pipelineNames("local", idle.id).table}`);

        const table = await cli("status", "-p", provider.id, "-c", catalog, ...STACK);
        expect(table.code).to.equal(0);
        expect(table.stdout).to.match(new RegExp(`^${provider.id} +Disabled +\\d+ +\\d+ +closed +operator by alice, \\d+s ago +open \\(always\\)`, "m"));
        expect(table.stdout).to.match(/ {2}operator {4}.* pause by alice: provider incident INC-9/);

        const resumed = await cli("resume", "-p", provider.id, "--by", "bob", "-r", "INC-9 resolved", "-c", catalog, ...STACK);
        expect(resumed.code, resumed.stderr).to.equal(0);
        expect(resumed.stdout, resumed.stdout + resumed.stderr).to.match(/resumed by bob .*\n.*\n  mapping   (Enabl(ing|ed)|Updating), mapping batch size \d+ \(asked: enable at mapping batch size \d+\)/);
        await settle(pipeline, [...scheduled, ...adHoc], 40_000);
        const ok = okCallsPerRecord(pipeline);
        expect(ok.size).to.equal(scheduled.length + adHoc.length);
        expect([...ok.values()].every((n) => n === 1)).to.equal(true);

        const notPaused = await cli("resume", "-p", provider.id, "-c", catalog, ...STACK);
        expect(notPaused).to.deep.equal({ code: 1, stdout: "", stderr: `provider "${provider.id}" has no operator or auth pause to resume: it is not paused\n` });

        const counted = JSON.parse((await cli("status", "-p", provider.id, "--scan", "--json", "-c", catalog, ...STACK)).stdout).providers[0];
        expect(counted.today.records.adHoc).to.deep.equal({ inFlight: 0, stalled: 0, landing: 0, done: adHoc.length, failed: 0, dead: 0 });
        expect(counted.today.records.scheduled).to.deep.equal({ inFlight: 0, stalled: 0, landing: 0, done: scheduled.length, failed: 0, dead: 0 });
        expect(counted.recentActions.map((a: { action: string; by: string; reason: string }) => [a.action, a.by, a.reason])).to.deep.equal([
          ["resume", "bob", "INC-9 resolved"],
          ["pause", "alice", "provider incident INC-9"],
        ]);
      } finally {
        await pipeline.stop();
      }
    });
  });

  describe("dead list and redrive (finding 12)", () => {
    it("lists a day's dead records with payload and reason, redrives them once fixed, and records who did", async () => {
      const provider = e2eProvider({ maxAttempts: 2, errorRateThreshold: 0.9 });
      const catalog = catalogFile([provider]);
      let revoked = true;
      const pipeline = await startPipeline(engines(), {
        provider,
        // The provider turns down the "vip" records until its side is fixed.
        intercept: async (request, next) => (revoked && request.recordId.startsWith("vip") ? { ok: false, kind: "permanent", reason: `no entitlement for ${request.recordId}` } : next(request)),
      });
      try {
        const good = ids("plain", 4);
        const vip = ["vip-1", "vip-2"];
        const lines = [...good, ...vip.map((id, i) => JSON.stringify({ id, payload: { isin: `GB000${i}` } }))];
        expect((await cli("enqueue", "-p", provider.id, "-f", tempFile("d.txt", lines.join("\n")), "-c", catalog, ...STACK)).code).to.equal(0);
        await settle(pipeline, [...good, ...vip], 30_000);

        const listed = await cli("dead", "list", "-p", provider.id, "--json", "-c", catalog, ...STACK);
        expect(listed.code, listed.stderr).to.equal(0);
        const dead = JSON.parse(listed.stdout).dead as { id: string; payload: unknown; reason: string }[];
        expect(dead.map((d) => [d.id, d.payload, d.reason])).to.have.deep.members([
          ["vip-1", { isin: "GB0000" }, "permanent: no entitlement for vip-1"],
          ["vip-2", { isin: "GB0001" }, "permanent: no entitlement for vip-2"],
        ]);
        const table = await cli("dead", "list", "-p", provider.id, "-c", catalog, ...STACK);
        expect(table.stdout).to.match(new RegExp(`^${provider.id}: 2 dead records on \\d{4}-\\d{2}-\\d{2}\n`));
        expect(table.stdout).to.include('payload {"isin":"GB0000"}');

        revoked = false;
        const dry = await cli("dead", "redrive", "-p", provider.id, "--dry-run", "-c", catalog, ...STACK);
        expect(dry.stdout).to.match(/dry run: 2 of 2 dead records .* would be redriven; nothing changed/);
        const redriven = await cli("dead", "redrive", "-p", provider.id, "--by", "dora", "-r", "entitlement fixed (INC-12)", "-c", catalog, ...STACK);
        expect(redriven.code, redriven.stderr).to.equal(0);
        expect(redriven.stdout).to.match(new RegExp(`^${provider.id}: redriven 2 of 2 dead records of .* by dora: entitlement fixed \\(INC-12\\)\n  sent {8}vip-1, vip-2`));
        const found = await settle(pipeline, vip, 30_000);
        expect([...found.values()].map((e) => e?.status)).to.deep.equal([LEDGER_STATUS.DONE, LEDGER_STATUS.DONE]);
        const ok = okCallsPerRecord(pipeline);
        expect(vip.map((id) => ok.get(id))).to.deep.equal([1, 1]);
        expect(JSON.parse((await cli("dead", "list", "-p", provider.id, "--json", "-c", catalog, ...STACK)).stdout).dead).to.deep.equal([]);
        const status = JSON.parse((await cli("status", "-p", provider.id, "--json", "-c", catalog, ...STACK)).stdout).providers[0];
        expect(status.recentActions.map((a: { action: string; by: string; reason: string }) => [a.action, a.by, a.reason])).to.deep.include([
          "redrive",
          "dora",
          `2 dead record(s) of ${[...found.values()][0]!.day}: entitlement fixed (INC-12)`,
        ]);
      } finally {
        await pipeline.stop();
      }
    });

    it("refuses an id that is not dead, and a day that is not a day, in one line each", async () => {
      const provider = e2eProvider();
      const catalog = catalogFile([provider]);
      const pipeline = await startPipeline(engines(), { provider });
      try {
        expect(await cli("dead", "redrive", "-p", provider.id, "--ids", "nope", "-c", catalog, ...STACK)).to.deep.include({ code: 1, stdout: "" });
        const bad = await cli("dead", "list", "-p", provider.id, "--day", "yesterday", "-c", catalog, ...STACK);
        expect(bad).to.deep.equal({ code: 1, stdout: "", stderr: '--day "yesterday" is not a day: expected YYYY-MM-DD\n' });
      } finally {
        await pipeline.stop();
      }
    });
  });

  describe("reset-breaker", () => {
    it("closes an open breaker at once and the records flow again; a closed breaker is refused", async () => {
      const provider = e2eProvider({
        initialFanOut: 1,
        maxAttempts: 40,
        controller: { strategy: "adaptive", minUpdateIntervalSeconds: 0, breaker: { baseIntervalMinutes: 60, maxIntervalMinutes: 120, probesToClose: 2 } },
      });
      const catalog = catalogFile([provider]);
      const pipeline = await startPipeline(engines(), { provider, chaos: chaosProfile({ errorPercentage: 100 }) });
      try {
        const records = ids("outage", 15);
        expect((await cli("enqueue", "-p", provider.id, "-f", tempFile("o.txt", records.join("\n")), "-c", catalog, ...STACK)).code).to.equal(0);
        await eventually("the breaker to open", async () => (await pipeline.ledger().loadPipeline())?.state.controller !== undefined && breakerOf(await pipeline.ledger().loadPipeline()) === "open", 20_000, 100);
        await eventually("the mapping to be disabled", () => pipeline.mapping.mapping.state === "Disabled", 10_000);

        // Resources from stack outputs this time, as `pulumi stack output --json` gives them.
        const outputs = join(tempDir(), "outputs.json");
        writeFileSync(
          outputs,
          JSON.stringify({ providers: { [provider.id]: { stream: pipeline.names.stream, streamArn: pipeline.streamArn, table: pipeline.names.table, mappingUuid: pipeline.mapping.mapping.uuid, ventilator: pipeline.names.ventilator } } }),
        );
        const status = await cli("status", "-p", provider.id, "-c", catalog, "--outputs", outputs, "--json");
        expect(status.code, status.stderr).to.equal(0);
        const view = JSON.parse(status.stdout).providers[0];
        // The held pipeline may be re-sending its disable (a batch's hold, a tick): like AWS, the emulator shows Updating meanwhile.
        expect(view.mapping.uuid).to.equal(pipeline.mapping.mapping.uuid);
        expect(view.mapping.state).to.be.oneOf(["Disabled", "Updating"]);
        expect(view.breaker.status).to.equal("open");
        expect(Date.parse(view.breaker.nextProbeAt.utc) - Date.now()).to.be.within(50 * 60_000, 61 * 60_000);
        const both = await cli("status", "-c", catalog, "--outputs", outputs, "--stack", "dev");
        expect(both).to.deep.equal({ code: 1, stdout: "", stderr: "give either --stack or --outputs, not both: the outputs already name the stack's resources\n" });

        pipeline.chaos.errorPercentage = 0;
        const reset = await cli("reset-breaker", "-p", provider.id, "--by", "carol", "-r", "gateway fixed", "-c", catalog, "--outputs", outputs);
        expect(reset.code, reset.stderr).to.equal(0);
        expect(reset.stdout).to.match(/breaker reset by carol in the stack outputs of .*: gateway fixed\n.*\n  mapping   (Enabl(ing|ed)|Updating), mapping batch size 1 \(asked: enable at mapping batch size 1\)/);
        expect(breakerOf(await pipeline.ledger().loadPipeline())).to.equal("closed");
        const found = await settle(pipeline, records, 30_000);
        expect([...found.values()].every((e) => e?.status === LEDGER_STATUS.DONE)).to.equal(true);

        const closed = await cli("reset-breaker", "-p", provider.id, "-c", catalog, ...STACK);
        expect(closed).to.deep.equal({ code: 1, stdout: "", stderr: `the breaker of provider "${provider.id}" is closed: nothing to reset\n` });
        const audit = await pipeline.ledger().listOperatorActions(5);
        expect(audit.map((a) => [a.action, a.by, a.reason])).to.deep.equal([["reset-breaker", "carol", "gateway fixed"]]);
      } finally {
        await pipeline.stop();
      }
    });
  });

  describe("help and mistakes", () => {
    for (const command of ["enqueue", "status", "pause", "resume", "reset-breaker", "dead list", "dead redrive"]) {
      it(`${command} --help explains the command and its exit status`, async () => {
        const r = await cli(...command.split(" "), "--help");
        expect(r.code).to.equal(0);
        expect(r.stdout).to.match(new RegExp(`^Usage: sluice ${command} \\[options\\]`));
        expect(r.stdout).to.include("Exit status");
        expect(r.stdout).to.include("--outputs <file>");
        expect(r.stdout).to.match(/Examples?:/);
      });
    }

    it("operator commands name an unknown provider and a pipeline that is not deployed", async () => {
      const provider = e2eProvider();
      const catalog = catalogFile([provider]);
      expect(await cli("pause", "-p", "nope", "-c", catalog, ...STACK)).to.deep.equal({ code: 1, stdout: "", stderr: `unknown provider "nope": ${catalog} declares ${provider.id}\n` });
      expect(await cli("resume", "-p", provider.id, "-c", catalog, ...STACK)).to.deep.equal({
        code: 1,
        stdout: "",
        stderr: `provider "${provider.id}" is not deployed in stack "local": table ${pipelineNames("local", provider.id).table} not found\n`,
      });
      expect((await cli("pause", "-p", provider.id, "--by", " ", "-c", catalog, ...STACK)).stderr).to.equal("--by must not be empty\n");
      expect(await cli("status", "-p", provider.id, "-c", "/nonexistent/providers.json")).to.deep.equal({ code: 1, stdout: "", stderr: "providers.json: cannot read /nonexistent/providers.json: no such file\n" });
    });

    it("treats a provider the stack outputs do not list as not deployed", async () => {
      const provider = e2eProvider();
      const catalog = catalogFile([provider]);
      const outputs = tempFile("outputs.json", JSON.stringify({ providers: {} }));
      const status = await cli("status", "-c", catalog, "--outputs", outputs);
      expect(status.code, status.stderr).to.equal(0);
      expect(status.stdout).to.include(`${provider.id}: not deployed in the stack outputs of ${outputs}: providers.${provider.id} not found`);
      expect(await cli("pause", "-p", provider.id, "-c", catalog, "--outputs", outputs)).to.deep.equal({
        code: 1,
        stdout: "",
        stderr: `provider "${provider.id}" is not deployed in the stack outputs of ${outputs}: providers.${provider.id} not found\n`,
      });
      const garbage = await cli("status", "-c", catalog, "--outputs", tempFile("o.txt", "Current stack outputs (0):"));
      expect(garbage.code).to.equal(1);
      expect(garbage.stderr).to.match(/^.*o\.txt: not JSON .*; expected the output of `pulumi stack output --json`\n$/);
    });

    it("says which endpoint it cannot reach, without a stack trace", async () => {
      const provider = e2eProvider();
      const catalog = catalogFile([provider]);
      const r = await runCli(["pause", "-p", provider.id, "-c", catalog, ...STACK], { ...env(), AWS_ENDPOINT_URL_DYNAMODB: "http://127.0.0.1:9" });
      expect(r.code).to.equal(1);
      expect(r.stderr).to.equal(`reading the pipeline state in table ${pipelineNames("local", provider.id).table} failed: cannot reach http://127.0.0.1:9 (AWS_ENDPOINT_URL_DYNAMODB): ECONNREFUSED\n`);
    });
  });
});

function breakerOf(loaded: Awaited<ReturnType<ReturnType<LocalPipeline["ledger"]>["loadPipeline"]>>): string | undefined {
  return (loaded?.state.controller as { breaker?: { status?: string } } | undefined)?.breaker?.status;
}

/** Waits until the provider has served no call for `ms`. */
async function quiet(pipeline: LocalPipeline, ms: number): Promise<void> {
  await eventually(`${ms} ms without a provider call`, async () => {
    const before = pipeline.calls.length;
    await new Promise((r) => setTimeout(r, ms));
    return pipeline.calls.length === before;
  }, 20_000);
}
