/**
 * The real thing: `pulumi up`, `preview`, `refresh` and `destroy` with the Pulumi CLI against the
 * local emulator, each step checked from the CLI's own output, `pulumi stack output --json` and
 * `pulumi stack export`. It runs wherever a working `pulumi` is on PATH (see
 * `test/support/pulumiCli.ts`) and is otherwise reported skipped with the reason; it never passes
 * without running.
 *
 * Nothing leaves the machine: a local file backend, a passphrase secrets provider, no update check,
 * no plugin downloads, and the emulator on 127.0.0.1 as the only endpoint. The emulator's time
 * scale keeps the runs short. Apart from the quickstart, which a user would run as it is, the
 * programs run with `PULUMI_NODEJS_TRANSPILE_ONLY=true` (`npm run typecheck` checks their types):
 * type-checking every `pulumi up` from scratch costs tens of seconds each on a loaded machine.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { startEmulator, DEMO_IDS, type EmulatorInstanceView, type RunningEmulator } from "../../emulator";
import { findPulumiCli } from "../support/pulumiCli";
import { TEST_KEY_ID, TEST_KEY_SECRET } from "../support/testEnv";
import { Workspace, flowSubmissions, type CliRun, type RunOptions } from "./workspace";

const ROOT = path.resolve(__dirname, "..", "..");
const PROGRAM = path.join(__dirname, "program");
const cli = findPulumiCli();

/** A `conf` value given as a secret: it must never appear in clear outside the emulator. */
const SECRET_CONF = "e2e-conf-secret-4b1d9a-never-print";
/** Quick (about 3 s at time scale 1), fails once then succeeds on rerun, about 2 minutes at time scale 1. */
const { projectId: PROJECT_ID, succeedingFlowId: QUICK, failOnceFlowId: FAIL_ONCE, longFlowId: LONG } = DEMO_IDS;
const FAST = 0.05;

describe("the real Pulumi CLI against the emulator", function () {
    if (!cli.command) {
        it.skip(`pulumi up / preview / refresh / destroy end to end — skipped: ${cli.reason}`, () => undefined);
        return;
    }
    this.timeout(300_000);

    let emu: RunningEmulator;
    let ws: Workspace;
    const fast: RunOptions = { env: { PULUMI_NODEJS_TRANSPILE_ONLY: "true" } };

    before(async () => {
        emu = await startEmulator({ accessKeyId: TEST_KEY_ID, accessKeySecret: TEST_KEY_SECRET, timeScale: FAST });
        ws = new Workspace(cli.command!, emu.url);
    });
    after(async () => {
        // EMR_FLOW_E2E_LOG=<file> keeps every command and what it printed (for reading a failure).
        const log = process.env.EMR_FLOW_E2E_LOG;
        if (log && ws) fs.writeFileSync(log, ws.runs.map((r) => `$ ${r.command}   # exit ${r.code ?? r.signal}, ${(r.ms / 1000).toFixed(1)} s\n${r.out}`).join("\n"));
        ws?.dispose();
        await emu?.close();
    });

    const calls = (action: string) => emu.stats().calls[action] ?? 0;
    const instance = (id: unknown): EmulatorInstanceView => {
        const found = emu.instances().find((i) => i.id === id);
        assert.ok(found, `the emulator has no instance ${String(id)}`);
        return found;
    };
    async function until(what: string, test: () => boolean, ms = 60_000): Promise<void> {
        const end = Date.now() + ms;
        while (!test()) {
            if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
            await new Promise((r) => setTimeout(r, 100));
        }
    }
    /** A stack of the e2e program with `runs` (and more config). */
    async function programStack(dir: string, stack: string, runs: Record<string, unknown>, more: [string, string, boolean?][] = []): Promise<void> {
        await ws.ok(dir, ["stack", "init", stack]);
        await setRuns(dir, stack, runs);
        for (const [key, value, secret] of more) await ws.ok(dir, ["config", "set", key, value, "--stack", stack, ...(secret ? ["--secret"] : [])]);
    }
    const setRuns = (dir: string, stack: string, runs: Record<string, unknown>) => ws.ok(dir, ["config", "set", "runs", JSON.stringify(runs), "--stack", stack]);
    const up = (dir: string, stack: string, opts: RunOptions = fast) => ws.run(dir, ["up", "--yes", "--skip-preview", "--stack", stack], opts);
    const upOk = async (dir: string, stack: string, opts: RunOptions = fast) => {
        const r = await up(dir, stack, opts);
        assert.equal(r.code, 0, `${r.command} failed:\n${r.out}`);
        return r;
    };

    describe("the quickstart", () => {
        const stack = "quick";
        let dir: string;
        let first: string;

        before(() => {
            dir = ws.project(path.join(ROOT, "examples", "quickstart"), "quickstart");
        });

        it(`pulumi up submits the run and shows the provider's progress under the stack while it waits (${cli.version})`, async () => {
            await ws.ok(dir, ["stack", "init", stack]);
            // Real time: the flow's three nodes take about 3 s, long enough for progress lines.
            emu.configure({ timeScale: 1 });
            const r = await ws.ok(dir, ["up", "--yes", "--stack", stack]);
            emu.configure({ timeScale: FAST });
            const outputs = await ws.outputs(dir, stack);
            assert.match(String(outputs.instanceId), /^FI-[0-9A-F]{16}$/);
            assert.equal(outputs.status, "SUCCEEDED");
            first = String(outputs.instanceId);
            assert.equal(instance(first).status, "SUCCEEDED");
            assert.equal(calls("SubmitFlow"), 1);
            // The provider's lines are shown under the root stack row as they come, then again under Diagnostics.
            const rows = r.out.split("\n");
            const stackRow = (text: RegExp) => rows.some((l) => /pulumi:pulumi:Stack\s+emr-flow-quickstart-quick/.test(l) && text.test(l));
            assert.ok(stackRow(new RegExp(`emr-flow: submitted flow ${QUICK} in project ${PROJECT_ID} \\(cn-hangzhou\\) as ${first}`)), r.out);
            assert.ok(stackRow(new RegExp(`emr-flow: ${first} RUNNING`)), `a progress line while the run was RUNNING:\n${r.out}`);
            assert.ok(stackRow(new RegExp(`emr-flow: ${first} SUCCEEDED`)), r.out);
            assert.match(r.out, /Diagnostics:\n\s+pulumi:pulumi:Stack \(emr-flow-quickstart-quick\):\n(\s+.*\n)*\s+emr-flow: submitted flow/);
            assert.match(r.out, /\+ 2 created/);
        });

        it("a second pulumi up with nothing changed changes nothing and submits nothing", async () => {
            const r = await upOk(dir, stack);
            assert.match(r.out, /2 unchanged/);
            assert.equal(calls("SubmitFlow"), 1);
            assert.equal((await ws.outputs(dir, stack)).instanceId, first);
        });

        it("the state names the stack in __stack, an input only, and refresh then up still submit nothing", async () => {
            const { resources } = await ws.exported(dir, stack);
            const run = flowSubmissions(resources)["nightly-etl"];
            assert.equal(run.id, first);
            assert.equal(run.inputs?.__stack, "organization/emr-flow-quickstart/quick");
            assert.equal(run.outputs?.__stack, undefined);
            await ws.ok(dir, ["refresh", "--yes", "--stack", stack]);
            await upOk(dir, stack);
            assert.equal(emu.instances().length, 1, "a second up with nothing changed submits nothing");
        });

        it("pulumi destroy without killOnDelete removes the run from the stack and leaves it", async () => {
            const r = await ws.ok(dir, ["destroy", "--yes", "--stack", stack]);
            assert.match(r.out, new RegExp(`emr-flow: ${first} removed from the stack; the run itself is left as it is`));
            assert.ok(emu.instances().some((i) => i.id === first));
            assert.equal(calls("KillFlow"), 0);
            assert.deepEqual(flowSubmissions((await ws.exported(dir, stack)).resources), {});
        });
    });

    describe("changes, failures, time-outs and secrets (the e2e program)", () => {
        let dir: string;
        before(() => {
            dir = ws.project(PROGRAM, "program");
        });

        it("preview shows a triggers change as a replacement; up submits exactly one new run; waitFor/timeoutSeconds update in place", async () => {
            const stack = "life";
            const runs = { main: { flowId: QUICK, conf: { bizdate: "20261127" }, triggers: [1], withSecret: true } };
            await programStack(dir, stack, runs, [["secretConf", SECRET_CONF, true]]);
            const submits = calls("SubmitFlow");
            await upOk(dir, stack);
            const before = (await ws.outputs(dir, stack)) as { instanceIds: Record<string, string>; statuses: Record<string, string> };
            assert.equal(before.statuses.main, "SUCCEEDED");
            assert.equal(calls("SubmitFlow"), submits + 1);
            assert.equal(instance(before.instanceIds.main).conf.password, SECRET_CONF, "the secret reached the service");

            await setRuns(dir, stack, { main: { ...runs.main, triggers: [2] } });
            const preview = await ws.ok(dir, ["preview", "--stack", stack], fast);
            assert.match(preview.out, /\+-\s+pulumi-nodejs:dynamic\/emr-flow:FlowSubmission\s+main\s+replace/);
            assert.match(preview.out, /\+-1 to replace/);
            assert.equal(calls("SubmitFlow"), submits + 1, "preview submits nothing");

            const replaced = await upOk(dir, stack);
            const after = (await ws.outputs(dir, stack)) as { instanceIds: Record<string, string>; statuses: Record<string, string> };
            assert.equal(calls("SubmitFlow"), submits + 2, "exactly one new run");
            assert.notEqual(after.instanceIds.main, before.instanceIds.main);
            assert.equal(after.statuses.main, "SUCCEEDED");
            assert.match(replaced.out, /\+-1 replaced/);

            await setRuns(dir, stack, { main: { ...runs.main, triggers: [2], waitFor: "start", timeoutSeconds: 600 } });
            const updated = await upOk(dir, stack);
            assert.match(updated.out, /~ 1 updated/);
            assert.equal(calls("SubmitFlow"), submits + 2, "an in-place update submits nothing");
            assert.equal(((await ws.outputs(dir, stack)) as { instanceIds: Record<string, string> }).instanceIds.main, after.instanceIds.main);

            // The secret conf value: ciphertext in the export, in clear nowhere the CLI shows or keeps.
            const { text, resources } = await ws.exported(dir, stack);
            assert.ok(!text.includes(SECRET_CONF), "the secret conf value is in the state in clear");
            const conf = flowSubmissions(resources).main.outputs?.conf as Record<string, unknown>;
            assert.equal(conf.bizdate, "20261127");
            assert.ok(conf.password && typeof conf.password === "object" && "ciphertext" in (conf.password as object), JSON.stringify(conf));
            const shown = await ws.ok(dir, ["stack", "output", "--json", "--stack", stack]);
            assert.ok(!shown.stdout.includes(SECRET_CONF));
        });

        it("a failed flow fails pulumi up naming its failed nodes and keeps the run; the next up reruns it on the same instance", async () => {
            const stack = "fail";
            await programStack(dir, stack, { flaky: { flowId: FAIL_ONCE } });
            const submits = calls("SubmitFlow");
            const failed = await up(dir, stack);
            assert.notEqual(failed.code, 0, failed.out);
            assert.match(failed.out, /ended FAILED during create/);
            assert.match(failed.out, /aggregate/, "names the failed node");
            const kept = flowSubmissions((await ws.exported(dir, stack)).resources).flaky;
            assert.match(String(kept.id), /^FI-/, "the failed run is in the state");
            assert.equal(kept.outputs?.status, "FAILED");
            assert.equal(calls("SubmitFlow"), submits + 1);

            const reruns = calls("RerunFlow");
            const again = await upOk(dir, stack);
            assert.match(again.out, new RegExp(`${kept.id} failed in an earlier deployment; rerunning its failed nodes`));
            assert.equal(calls("RerunFlow"), reruns + 1);
            assert.equal(calls("SubmitFlow"), submits + 1, "no new run");
            const outputs = (await ws.outputs(dir, stack)) as { instanceIds: Record<string, string>; statuses: Record<string, string> };
            assert.equal(outputs.instanceIds.flaky, kept.id);
            assert.equal(outputs.statuses.flaky, "SUCCEEDED");
        });

        it("timeoutSeconds reached: the run stays in the state and the next up waits for the same instance", async () => {
            const stack = "timeout";
            await programStack(dir, stack, { long: { flowId: LONG, timeoutSeconds: 1 } });
            const submits = calls("SubmitFlow");
            const timedOut = await up(dir, stack);
            assert.notEqual(timedOut.code, 0, timedOut.out);
            assert.match(timedOut.out, /It is kept in the stack and still running; the next `pulumi up` waits for the same instance again/);
            const kept = flowSubmissions((await ws.exported(dir, stack)).resources).long;
            assert.match(String(kept.id), /^FI-/);

            await setRuns(dir, stack, { long: { flowId: LONG, timeoutSeconds: 300 } });
            await upOk(dir, stack);
            const outputs = (await ws.outputs(dir, stack)) as { instanceIds: Record<string, string>; statuses: Record<string, string> };
            assert.equal(outputs.instanceIds.long, kept.id);
            assert.equal(outputs.statuses.long, "SUCCEEDED");
            assert.equal(calls("SubmitFlow"), submits + 1, "the same instance, no new run");
        });

        it("refresh picks up a status that changed in the service, and drops a run the service no longer has", async () => {
            const stack = "refresh";
            // Its own emulator, so forgetting its runs touches no other stack.
            const own = await startEmulator({ accessKeyId: TEST_KEY_ID, accessKeySecret: TEST_KEY_SECRET, timeScale: FAST });
            const env = { env: { ...fast.env, ALIBABA_CLOUD_ENDPOINT_EMR: own.url } };
            try {
                await programStack(dir, stack, { r: { flowId: LONG, waitFor: "submission" } });
                await upOk(dir, stack, env);
                const id = ((await ws.outputs(dir, stack)) as { instanceIds: Record<string, string> }).instanceIds.r;
                assert.equal(flowSubmissions((await ws.exported(dir, stack)).resources).r.outputs?.status, "PREP");
                await until(`${id} succeeded`, () => own.instances().some((i) => i.id === id && i.status === "SUCCEEDED"));
                await ws.ok(dir, ["refresh", "--yes", "--stack", stack], env);
                assert.equal(flowSubmissions((await ws.exported(dir, stack)).resources).r.outputs?.status, "SUCCEEDED");

                own.reset();
                const gone = await ws.ok(dir, ["refresh", "--yes", "--stack", stack], env);
                assert.match(gone.out, new RegExp(`emr-flow: ${id} no longer exists in project ${PROJECT_ID}; refreshing drops it from the stack`));
                assert.deepEqual(flowSubmissions((await ws.exported(dir, stack)).resources), {});
            } finally {
                await own.close();
            }
        });

        it("destroy stops a running run with killOnDelete: true where EMR has no KillFlow (the default), and leaves one without", async () => {
            const stack = "destroy";
            await programStack(dir, stack, {
                kill: { flowId: LONG, waitFor: "submission", killOnDelete: true, conf: { which: "kill" } },
                keep: { flowId: LONG, waitFor: "submission", conf: { which: "keep" } },
            });
            // Real time: the runs last about two minutes, so both are still going at destroy.
            emu.configure({ timeScale: 1 });
            await upOk(dir, stack);
            emu.configure({ timeScale: FAST });
            const ids = ((await ws.outputs(dir, stack)) as { instanceIds: Record<string, string> }).instanceIds;
            const before = { killFlow: calls("KillFlow"), suspend: calls("SuspendFlow") };
            const r = await ws.ok(dir, ["destroy", "--yes", "--stack", stack]);
            assert.match(r.out, new RegExp(`killing ${ids.kill} \\((PREP|RUNNING)\\) because killOnDelete is set`));
            // The emulator plays the current API, where KillFlow is absent: the provider suspends the
            // run and kills its running jobs, and reports the status EMR gives, never KILLED.
            assert.match(r.out, new RegExp(`EMR does not offer KillFlow \\(InvalidAction\\.NotFound\\), so ${ids.kill} was stopped with SuspendFlow and KillFlowJob instead\\.`));
            assert.match(r.out, /Suspended it: no further node starts\./);
            assert.match(r.out, /The run is SUSPENDED \(not KILLED\)\./);
            assert.equal(calls("KillFlow") - before.killFlow, 1);
            assert.equal(calls("SuspendFlow") - before.suspend, 1);
            assert.equal(instance(ids.kill).status, "SUSPENDED");
            assert.notEqual(instance(ids.kill).status, "KILLED");
            assert.notEqual(instance(ids.keep).status, "KILLED");
            assert.notEqual(instance(ids.keep).status, "SUSPENDED");
            assert.match(r.out, new RegExp(`${ids.keep} removed from the stack; the run itself is left as it is`));
        });

        it("destroy kills a running run with killOnDelete: true where EMR offers KillFlow", async () => {
            const stack = "destroy-killflow";
            await programStack(dir, stack, { kill: { flowId: LONG, waitFor: "submission", killOnDelete: true, conf: { which: "killflow" } } });
            emu.configure({ timeScale: 1, killFlow: "present" });
            try {
                await upOk(dir, stack);
                emu.configure({ timeScale: FAST });
                const ids = ((await ws.outputs(dir, stack)) as { instanceIds: Record<string, string> }).instanceIds;
                const r = await ws.ok(dir, ["destroy", "--yes", "--stack", stack]);
                assert.match(r.out, new RegExp(`killing ${ids.kill} \\((PREP|RUNNING)\\) because killOnDelete is set`));
                assert.match(r.out, new RegExp(`${ids.kill} is KILLED`));
                assert.equal(instance(ids.kill).status, "KILLED");
            } finally {
                emu.configure({ timeScale: FAST, killFlow: "absent" });
            }
        });
    });

    describe("a pulumi up killed mid-wait, and a second stack of the same project", () => {
        let dir: string;
        const runs = { twin: { flowId: LONG, conf: { bizdate: "twin" } } };
        const twins = () => emu.instances().filter((i) => i.conf.bizdate === "twin");
        let interrupted: CliRun;
        let alphaRun: string;

        before(async () => {
            dir = ws.project(PROGRAM, "twins");
            await programStack(dir, "alpha", runs);
            await programStack(dir, "beta", runs);
        });

        it("Ctrl-C then SIGKILL during the wait: the CLI stops with the create pending", async () => {
            // About 20 s per run: long enough to interrupt the wait.
            emu.configure({ timeScale: 0.15 });
            let signalled = false;
            interrupted = await up(dir, "alpha", {
                env: fast.env,
                onOutput: (out, proc) => {
                    if (signalled || !/emr-flow: submitted flow .* as FI-\w+/.test(out)) return;
                    signalled = true;
                    proc.signalGroup("SIGINT");
                    setTimeout(() => proc.signalGroup("SIGKILL"), 3000);
                },
            });
            assert.ok(signalled, interrupted.out);
            assert.notEqual(interrupted.code, 0);
            alphaRun = /as (FI-\w+)/.exec(interrupted.out)![1];
            assert.deepEqual(twins().map((i) => i.id), [alphaRun]);
            const exported = JSON.parse((await ws.ok(dir, ["stack", "export", "--stack", "alpha"])).stdout) as { deployment: { pending_operations?: { type: string; resource: { urn: string } }[] } };
            const pending = exported.deployment.pending_operations ?? [];
            assert.deepEqual(pending.map((p) => [p.type, p.resource.urn.split("::").pop()]), [["creating", "twin"]], JSON.stringify(exported.deployment));
        });

        it("the other stack's up, same inputs, same machine, does not take over the interrupted run", async () => {
            const r = await upOk(dir, "beta");
            const beta = ((await ws.outputs(dir, "beta")) as { instanceIds: Record<string, string> }).instanceIds.twin;
            assert.notEqual(beta, alphaRun);
            assert.doesNotMatch(r.out, /continuing with/);
            assert.equal(twins().length, 2);
        });

        it("cancel, refresh, then up, as a user would: the interrupted stack continues its own run, nothing lost, nothing doubled", async () => {
            // A CLI killed with SIGKILL leaves its lock on the file backend: the next command says so.
            const locked = await ws.run(dir, ["refresh", "--yes", "--stack", "alpha"], fast);
            assert.notEqual(locked.code, 0);
            assert.match(locked.out, /the stack is currently locked by 1 lock\(s\)/);
            await ws.ok(dir, ["cancel", "--yes", "--stack", "alpha"]);
            // A non-interactive refresh does not clear a pending create (the engine only does so interactively).
            await ws.ok(dir, ["refresh", "--yes", "--stack", "alpha"], fast);
            const stillPending = JSON.parse((await ws.ok(dir, ["stack", "export", "--stack", "alpha"])).stdout) as { deployment: { pending_operations?: unknown[] } };
            assert.equal((stillPending.deployment.pending_operations ?? []).length, 1);
            // `pulumi up` warns about it, calls create again, and the provider continues the recorded run.
            const r = await upOk(dir, "alpha");
            assert.match(r.out, /Attempting to deploy or update resources with 1 pending operations from previous deployment/);
            assert.match(r.out, /FlowSubmission::twin, interrupted while creating/);
            assert.match(r.out, new RegExp(`continuing with ${alphaRun} instead of submitting again`));
            const outputs = (await ws.outputs(dir, "alpha")) as { instanceIds: Record<string, string>; statuses: Record<string, string> };
            assert.equal(outputs.instanceIds.twin, alphaRun);
            assert.equal(outputs.statuses.twin, "SUCCEEDED");
            assert.equal(twins().length, 2, "one run per stack");
            // The engine keeps the stale pending create after that `up`; clearing it is the user's step.
            const stale = JSON.parse((await ws.ok(dir, ["stack", "export", "--stack", "alpha"])).stdout) as { deployment: { pending_operations?: unknown[] } };
            assert.equal((stale.deployment.pending_operations ?? []).length, 1);
            await ws.ok(dir, ["refresh", "--yes", "--clear-pending-creates", "--stack", "alpha"], fast);
            const { text, resources } = await ws.exported(dir, "alpha");
            assert.deepEqual((JSON.parse(text) as { deployment: { pending_operations?: unknown[] } }).deployment.pending_operations ?? [], []);
            assert.equal(flowSubmissions(resources).twin.id, alphaRun);
            assert.equal(twins().length, 2, "one run per stack");
        });

        after(() => emu.configure({ timeScale: FAST }));
    });

    describe("the other examples", () => {
        it("examples/chained: the report run gets the load run's instance ID and starts after it ended", async () => {
            const dir = ws.project(path.join(ROOT, "examples", "chained"), "chained");
            await ws.ok(dir, ["stack", "init", "dev"]);
            await upOk(dir, "dev");
            const outputs = (await ws.outputs(dir, "dev")) as Record<string, string>;
            assert.match(outputs.loadInstanceId, /^FI-/);
            assert.equal(outputs.reportStatus, "SUCCEEDED");
            const report = instance(outputs.reportInstanceId);
            assert.equal(report.conf.upstreamInstanceId, outputs.loadInstanceId);
            assert.ok(report.createdAt >= instance(outputs.loadInstanceId).endTime!, "the report run was submitted after the load run ended");
        });

        it("examples/backfill: one run per day, never more than maxConcurrent in flight", async () => {
            const dir = ws.project(path.join(ROOT, "examples", "backfill"), "backfill");
            await ws.ok(dir, ["stack", "init", "dev"]);
            await ws.ok(dir, ["config", "set", "maxConcurrent", "2", "--stack", "dev"]);
            await upOk(dir, "dev");
            const outputs = (await ws.outputs(dir, "dev")) as { runs: Record<string, string>; statusCounts: Record<string, number> };
            assert.equal(Object.keys(outputs.runs).length, 7);
            const mine = emu.instances().filter((i) => Object.values(outputs.runs).includes(i.id));
            assert.equal(mine.length, 7);
            assert.ok(mine.every((i) => i.status === "SUCCEEDED"));
            let most = 0;
            for (const i of mine) most = Math.max(most, mine.filter((j) => j.createdAt <= i.createdAt && (j.endTime ?? Infinity) > i.createdAt).length);
            assert.ok(most <= 2, `at most 2 runs in flight, saw ${most}`);
            assert.ok(most >= 1);
        });
    });

    describe("everything the CLI printed and kept", () => {
        it("never shows the AccessKey secret or the secret conf value", () => {
            assert.ok(ws.runs.length > 10);
            for (const r of ws.runs) {
                assert.ok(!r.out.includes(TEST_KEY_SECRET), `the AccessKey secret appeared in ${r.command}`);
                assert.ok(!r.out.includes(SECRET_CONF), `the secret conf value appeared in ${r.command}`);
            }
        });
    });
});
