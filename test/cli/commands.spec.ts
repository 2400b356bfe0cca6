/**
 * The `emr-flow` command line, as a user runs it: the compiled `dist/cli/main.js` in a child
 * process against the emulator, with credentials, region and endpoint from the environment and a
 * temporary HOME. Every command, `--help`, `--json`, each exit code, and the progress output on a
 * pseudo-terminal and on a pipe.
 */
import { strict as assert } from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startEmulator, DEMO_IDS, type RunningEmulator } from "../../emulator";
import { hostEnv, TEST_KEY_ID, TEST_KEY_SECRET } from "../support/testEnv";

const ROOT = path.resolve(__dirname, "..", "..");
const MAIN = path.join(ROOT, "dist", "cli", "main.js");
const PROJECT = DEMO_IDS.projectId;

interface Result {
    code: number | null;
    stdout: string;
    stderr: string;
}

/** Polls `test` until it holds; a condition, not a length of time, ends the wait. */
async function until(what: string, test: () => boolean, tries = 2_000): Promise<void> {
    for (let i = 0; i < tries; i++) {
        if (test()) return;
        await new Promise((r) => setTimeout(r, 25));
    }
    assert.fail(`still waiting for ${what}`);
}

/** A pseudo-terminal runner: util-linux `script`, else python3's pty module. */
function ptyRunner(): ((command: string[]) => string[]) | undefined {
    const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    if (spawnSync("script", ["--version"]).status === 0) return (command) => ["script", "-qfec", command.map(quote).join(" "), "/dev/null"];
    if (spawnSync("python3", ["-c", "import pty"]).status === 0) {
        return (command) => ["python3", "-c", "import os, pty, sys; sys.exit(os.waitstatus_to_exitcode(pty.spawn(sys.argv[1:])))", ...command];
    }
    return undefined;
}

describe("emr-flow command line (emulator)", function () {
    this.timeout(60_000);
    let emu: RunningEmulator;
    let home: string;
    let env: NodeJS.ProcessEnv;

    function run(args: string[], extraEnv: NodeJS.ProcessEnv = {}, argv0: string[] = [process.execPath, MAIN]): Promise<Result> {
        return new Promise((resolve, reject) => {
            const [cmd, ...rest] = argv0;
            const child = spawn(cmd, [...rest, ...args], { env: { ...env, ...extraEnv }, stdio: ["ignore", "pipe", "pipe"] });
            let stdout = "";
            let stderr = "";
            child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
            child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
            child.on("error", reject);
            child.on("close", (code) => resolve({ code, stdout, stderr }));
        });
    }

    async function submit(flowId: string, ...more: string[]): Promise<string> {
        const r = await run(["submit", "--project", PROJECT, "--flow", flowId, ...more]);
        assert.equal(r.code, 0, r.stderr);
        return r.stdout.trim();
    }

    const json = (r: Result): Record<string, unknown> => JSON.parse(r.stdout) as Record<string, unknown>;

    before(async () => {
        assert.ok(fs.existsSync(MAIN), `${MAIN} is missing: run npm run build first`);
        // KillFlow present for the kill tests of KillFlow itself; the ones without it say so.
        emu = await startEmulator({ accessKeyId: TEST_KEY_ID, accessKeySecret: TEST_KEY_SECRET, timeScale: 0.01, killFlow: "present" });
        home = fs.mkdtempSync(path.join(os.tmpdir(), "emr-flow-cli-home-"));
        env = hostEnv(home, {
            PATH: process.env.PATH,
            ALIBABA_CLOUD_ACCESS_KEY_ID: TEST_KEY_ID,
            ALIBABA_CLOUD_ACCESS_KEY_SECRET: TEST_KEY_SECRET,
            ALIBABA_CLOUD_ENDPOINT_EMR: emu.url,
            ALIBABA_CLOUD_REGION: "cn-hangzhou",
            EMR_FLOW_PROJECT: "",
        });
    });
    beforeEach(() => {
        emu.configure({ timeScale: 0.01 });
    });
    after(async () => {
        await emu?.close();
        fs.rmSync(home, { recursive: true, force: true });
    });

    describe("help", () => {
        it("prints usage with the exit codes, and exits 0", async () => {
            const r = await run(["--help"]);
            assert.equal(r.code, 0);
            for (const command of ["submit", "status", "wait", "kill", "rerun", "list"]) assert.match(r.stdout, new RegExp(`\\n  ${command} `));
            assert.match(r.stdout, /Exit codes: 0 succeeded, 1 the run failed or was killed, 2 usage error, 3 timeout, 4 API or credential error/);
        });

        for (const [command, option] of [["submit", "--cyctime"], ["status", "<instance-id>"], ["wait", "--timeout"], ["kill", "--wait"], ["rerun", "--failed-only"], ["list", "--status"]]) {
            it(`explains ${command} with --help`, async () => {
                const r = await run([command, "--help"]);
                assert.equal(r.code, 0);
                assert.match(r.stdout, new RegExp(`Usage: emr-flow ${command}`));
                assert.ok(r.stdout.includes(option), `mentions ${option}`);
                assert.match(r.stdout, /Global Options:[\s\S]*--region[\s\S]*--json/);
            });
        }

        it("prints the package version", async () => {
            const r = await run(["--version"]);
            assert.equal(r.code, 0);
            assert.equal(r.stdout.trim(), (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string }).version);
        });
    });

    describe("submit", () => {
        it("prints only the new instance ID on stdout and sends conf with cyctime in epoch ms", async () => {
            const r = await run(["submit", "--project", PROJECT, "--flow", DEMO_IDS.succeedingFlowId, "--conf", "bizdate=20261127", "-c", "note=a=b", "--cyctime", "2026-11-27"]);
            assert.equal(r.code, 0, r.stderr);
            assert.match(r.stdout, /^FI-[0-9A-F]{16}\n$/);
            const id = r.stdout.trim();
            assert.match(r.stderr, new RegExp(`submitted flow ${DEMO_IDS.succeedingFlowId} in project ${PROJECT} \\(cn-hangzhou\\) as ${id}\\. Follow it with: emr-flow wait ${id}`));
            assert.deepEqual(emu.instances().find((i) => i.id === id)!.conf, { bizdate: "20261127", note: "a=b", cyctime: String(Date.UTC(2026, 10, 27)) });
        });

        it("--json prints the submission as JSON", async () => {
            const r = await run(["submit", "--project", PROJECT, "--flow", DEMO_IDS.succeedingFlowId, "--json"]);
            assert.equal(r.code, 0, r.stderr);
            const out = json(r);
            assert.match(String(out.instanceId), /^FI-/);
            assert.equal(out.projectId, PROJECT);
            assert.equal(out.flowId, DEMO_IDS.succeedingFlowId);
            assert.equal(out.regionId, "cn-hangzhou");
            assert.ok(out.requestId);
        });

        it("--wait exits 0 when the run succeeds, with plain progress lines off a terminal", async () => {
            const r = await run(["submit", "-p", PROJECT, "-f", DEMO_IDS.succeedingFlowId, "--wait"]);
            assert.equal(r.code, 0, r.stderr);
            // The ID alone on stdout; the progress on stderr.
            assert.match(r.stdout, /^FI-[0-9A-F]{16}\n$/);
            assert.match(r.stderr, /^emr-flow: submitted flow .* as FI-/);
            assert.match(r.stderr, /emr-flow: FI-[0-9A-F]{16} SUCCEEDED, 3\/3 nodes finished, \d+s elapsed\n$/);
            assert.ok(!/[\r\x1b]/.test(r.stderr), "no carriage returns or escape codes in a pipe");
        });

        it("--wait exits 1 when the run fails, naming the failed node and how to rerun it", async () => {
            const r = await run(["submit", "-p", PROJECT, "-f", DEMO_IDS.alwaysFailingFlowId, "--wait"]);
            assert.equal(r.code, 1);
            assert.match(r.stderr, /ended FAILED\. Failed nodes: import \(SQOOP FJ-\w+ application_\w+ FAILED\)\. Rerun its failed nodes with: emr-flow rerun FI-\w+ --project FP-D3M0000000000001 --failed-only --wait/);
        });

        it("--wait --json prints the outcome and the run's details on stdout, progress on stderr", async () => {
            const r = await run(["submit", "-p", PROJECT, "-f", DEMO_IDS.succeedingFlowId, "--wait", "--json"]);
            assert.equal(r.code, 0, r.stderr);
            const out = json(r) as { outcome: string; instanceId: string; instance: { status: string; nodes: unknown[]; instanceId: string } };
            assert.equal(out.outcome, "succeeded");
            assert.equal(out.instance.status, "SUCCEEDED");
            assert.equal(out.instance.instanceId, out.instanceId);
            assert.equal(out.instance.nodes.length, 3);
            assert.match(r.stderr, /SUCCEEDED, 3\/3 nodes finished/);
        });

        it("takes the project from EMR_FLOW_PROJECT", async () => {
            const r = await run(["submit", "-f", DEMO_IDS.succeedingFlowId], { EMR_FLOW_PROJECT: PROJECT });
            assert.equal(r.code, 0, r.stderr);
        });
    });

    describe("status", () => {
        it("shows the run's status, times and nodes, and exits 0 for a run that succeeded", async () => {
            const id = await submit(DEMO_IDS.succeedingFlowId, "--wait", "--json").then((out) => (JSON.parse(out) as { instanceId: string }).instanceId);
            const r = await run(["status", id, "--project", PROJECT]);
            assert.equal(r.code, 0, r.stderr);
            assert.match(r.stdout, new RegExp(`instance +${id} +SUCCEEDED`));
            assert.match(r.stdout, /flow +F-D3M0000000000001 \(nightly-etl\)/);
            assert.match(r.stdout, /nodes +3\/3 finished/);
            assert.match(r.stdout, /\n {2}transform +SPARK +SUCCESS/);
        });

        it("--json prints the same fields getFlowInstance returns; a failed run exits 1", async () => {
            const id = JSON.parse(await submit(DEMO_IDS.alwaysFailingFlowId, "--json")).instanceId as string;
            await run(["wait", id, "-p", PROJECT]);
            const r = await run(["status", id, "-p", PROJECT, "--json"]);
            assert.equal(r.code, 1);
            const out = json(r);
            assert.equal(out.instanceId, id);
            assert.equal(out.status, "FAILED");
            assert.equal(out.finished, true);
            assert.equal(out.hasNodeFailed, true);
            assert.deepEqual(Object.keys(out).sort(), ["clusterId", "createdAt", "durationMs", "endTime", "finished", "flowId", "flowName", "hasNodeFailed", "instanceId", "nodes", "projectId", "regionId", "scheduleTime", "startTime", "status"]);
        });
    });

    describe("wait", () => {
        it("exits 0 for a run that succeeds and 1 for one that fails", async () => {
            const ok = await submit(DEMO_IDS.succeedingFlowId);
            const bad = await submit(DEMO_IDS.alwaysFailingFlowId);
            const [a, b] = await Promise.all([run(["wait", ok, "-p", PROJECT]), run(["wait", bad, "-p", PROJECT, "--json"])]);
            assert.equal(a.code, 0, a.stderr);
            assert.equal(b.code, 1);
            assert.equal(json(b).outcome, "failed");
        });

        it("exits 3 at --timeout, saying the run goes on and how to wait again", async () => {
            emu.configure({ timeScale: 1 });
            const id = await submit(DEMO_IDS.longFlowId);
            const r = await run(["wait", id, "-p", PROJECT, "--timeout", "1", "--json"]);
            assert.equal(r.code, 3);
            // It gave up, not waited the run out: the run (about two minutes) is still going on in
            // the service when the command has ended.
            const inService = emu.instances().find((i) => i.id === id)!;
            assert.match(inService.status, /^(PREP|RUNNING)$/, "the run was still going on when the wait gave up");
            assert.equal(inService.endTime, null);
            assert.equal(json(r).outcome, "timeout");
            assert.match(r.stderr, new RegExp(`stopped waiting for ${id} after 1s \\(--timeout 1\\); it is still (PREP|RUNNING)\\. Wait again with: emr-flow wait ${id} --project ${PROJECT}`));
            await run(["kill", id, "-p", PROJECT]);
        });

        it("shows a live progress bar on a terminal", async function () {
            const pty = ptyRunner();
            if (!pty) this.skip();
            // The run ends when the test says so, not after some real time: an emulator of its own
            // whose clock jumps past the run's end once the command has seen the run going on. So
            // the bar is drawn while the run goes on and redrawn in place when it ends.
            let skewMs = 0;
            const own = await startEmulator({ accessKeyId: TEST_KEY_ID, accessKeySecret: TEST_KEY_SECRET, timeScale: 1, now: () => Date.now() + skewMs });
            let r: Result;
            let id: string;
            try {
                const endpoint = { ALIBABA_CLOUD_ENDPOINT_EMR: own.url };
                const submitted = await run(["submit", "--project", PROJECT, "--flow", DEMO_IDS.longFlowId], endpoint);
                assert.equal(submitted.code, 0, submitted.stderr);
                id = submitted.stdout.trim();
                const describes = () => own.stats().calls.DescribeFlowInstance ?? 0;
                const before = describes();
                const waiting = run([], endpoint, pty!([process.execPath, MAIN, "wait", id, "-p", PROJECT]));
                // The answer to a DescribeFlowInstance is made when the call is counted.
                await until("the command's first DescribeFlowInstance", () => describes() > before);
                skewMs = 10 * 60_000;
                r = await waiting;
            } finally {
                await own.close();
            }
            assert.equal(r.code, 0, r.stdout + r.stderr);
            const frames = r.stdout.split("\r\x1b[2K").filter((f) => f.trim() !== "");
            assert.ok(frames.length >= 2, `the line was redrawn in place (${frames.length} frames): ${JSON.stringify(r.stdout)}`);
            assert.match(frames[0], /nodes {2}(PREP|RUNNING) /, "the first frame shows the run going on");
            for (const frame of frames) assert.match(frame, new RegExp(`^${id} \\[[#-]{24}\\] \\d/\\d nodes {2}[A-Z]+ {2}\\d+s`));
            assert.match(frames[frames.length - 1], /\[#{24}\] 2\/2 nodes {2}SUCCEEDED/);
            assert.ok(!r.stdout.includes("emr-flow: FI-"), "no plain lines on a terminal");
        });

        it("prints plain lines, one per change, without a terminal", async () => {
            emu.configure({ timeScale: 0.025 });
            const id = await submit(DEMO_IDS.longFlowId);
            const r = await run(["wait", id, "-p", PROJECT]);
            assert.equal(r.code, 0, r.stderr);
            const lines = r.stderr.trim().split("\n");
            assert.equal(r.stdout, "", "progress goes to stderr");
            for (const line of lines) assert.match(line, new RegExp(`^emr-flow: ${id} [A-Z]+, \\d/\\d nodes finished, \\d+s elapsed$`));
            assert.equal(new Set(lines.map((l) => l.replace(/, \d+s elapsed$/, ""))).size, lines.length, "a line only when something changed");
            assert.match(lines[lines.length - 1], /SUCCEEDED, 2\/2 nodes finished/);
        });
    });

    describe("kill", () => {
        it("stops a running run, and with --wait reports KILLED", async () => {
            emu.configure({ timeScale: 1 });
            const a = await submit(DEMO_IDS.longFlowId);
            const b = await submit(DEMO_IDS.longFlowId);
            const r = await run(["kill", a, "-p", PROJECT]);
            assert.equal(r.code, 0, r.stderr);
            assert.match(r.stderr, new RegExp(`asked EMR to kill ${a}`));
            const w = await run(["kill", b, "-p", PROJECT, "--wait", "--json"]);
            assert.equal(w.code, 0, w.stderr);
            assert.equal((json(w).instance as { status: string }).status, "KILLED");
            assert.equal(emu.instances().find((i) => i.id === a)!.status, "KILLED");
        });

        it("where the service has no KillFlow: suspends the run, kills its running job, and says what was stopped, not KILLED", async () => {
            emu.configure({ timeScale: 1, killFlow: "absent" });
            const started: string[] = [];
            try {
                const a = await submit(DEMO_IDS.longFlowId);
                const b = await submit(DEMO_IDS.longFlowId);
                started.push(a, b);
                // Out of PREP: its first job is queued.
                await until(`${a} RUNNING`, () => emu.instances().find((i) => i.id === a)!.status === "RUNNING");
                const r = await run(["kill", a, "-p", PROJECT, "--wait"]);
                assert.equal(r.code, 0, r.stderr);
                // kill has no result for stdout: the report is a note, on stderr.
                assert.equal(r.stdout, "");
                assert.match(r.stderr, new RegExp(`EMR does not offer KillFlow \\(InvalidAction\\.NotFound\\), so ${a} was stopped with SuspendFlow and KillFlowJob instead\\.`));
                assert.match(r.stderr, /Asked EMR to kill the running job: backfill \(FNI-[0-9A-F]{16}, now KILL_SUCCESS\)/);
                assert.match(r.stderr, /The run is SUSPENDED \(not KILLED\)/);
                assert.equal(emu.instances().find((i) => i.id === a)!.status, "SUSPENDED");

                emu.faults.add({ action: "KillFlowJob", kind: "drop-before", count: 1 });
                const w = await run(["kill", b, "-p", PROJECT, "--json"]);
                assert.equal(w.code, 4, "a job that could not be killed is an API failure");
                const out = json(w) as { killed: boolean; stoppedWith: string; suspend: { result: string }; jobs: { result: string; nodeName: string }[] };
                assert.deepEqual([out.killed, out.stoppedWith, out.suspend.result], [false, "SuspendFlow+KillFlowJob", "done"]);
                assert.deepEqual(out.jobs.map((j) => [j.nodeName, j.result]), [["backfill", "failed"]]);
            } finally {
                emu.faults.clear();
                emu.configure({ killFlow: "present" });
                // The suspended runs would stay SUSPENDED: end them, for the tests that list runs.
                for (const id of started) await run(["kill", id, "-p", PROJECT]);
                assert.ok(started.every((id) => emu.instances().find((i) => i.id === id)!.status === "KILLED"));
            }
        });

        it("leaves a run that already ended alone and exits 0", async () => {
            const id = JSON.parse(await submit(DEMO_IDS.succeedingFlowId, "--wait", "--json")).instanceId as string;
            const kills = emu.stats().calls.KillFlow ?? 0;
            const r = await run(["kill", id, "-p", PROJECT]);
            assert.equal(r.code, 0);
            assert.match(r.stderr, new RegExp(`${id} already ended \\(SUCCEEDED\\); nothing to kill`));
            assert.equal(emu.stats().calls.KillFlow ?? 0, kills, "KillFlow was not called");
        });
    });

    describe("rerun", () => {
        it("--failed-only --wait reruns the failed nodes of the same instance and exits 0", async () => {
            const id = JSON.parse(await submit(DEMO_IDS.failOnceFlowId, "--json")).instanceId as string;
            assert.equal((await run(["wait", id, "-p", PROJECT])).code, 1);
            const before = emu.instances().length;
            const r = await run(["rerun", id, "-p", PROJECT, "--failed-only", "--wait"]);
            assert.equal(r.code, 0, r.stderr);
            assert.match(r.stderr, new RegExp(`rerunning the failed nodes of ${id}`));
            assert.equal(emu.instances().find((i) => i.id === id)!.status, "SUCCEEDED");
            assert.equal(emu.instances().length, before, "the same instance, no new one");
        });

        it("--json without --wait says what was asked", async () => {
            const id = JSON.parse(await submit(DEMO_IDS.succeedingFlowId, "--wait", "--json")).instanceId as string;
            const r = await run(["rerun", id, "-p", PROJECT, "--json"]);
            assert.equal(r.code, 0, r.stderr);
            assert.deepEqual({ ...json(r), requestId: "-" }, { instanceId: id, requestId: "-", accepted: true, failedOnly: false });
        });
    });

    describe("list", () => {
        it("lists runs newest first, filtered by flow and status, in a table or as JSON", async () => {
            // A run that fails, so there is something to filter for (its exit code is 1).
            await run(["submit", "-p", PROJECT, "-f", DEMO_IDS.alwaysFailingFlowId, "--wait"]);
            const all = await run(["list", "-p", PROJECT]);
            assert.equal(all.code, 0, all.stderr);
            assert.match(all.stdout, /^INSTANCE +STATUS +FLOW +CREATED +STARTED +DURATION\n/);

            const r = await run(["list", "-p", PROJECT, "--flow", DEMO_IDS.alwaysFailingFlowId, "--status", "failed", "--json"]);
            assert.equal(r.code, 0, r.stderr);
            const out = json(r) as { total: number; instances: { id: string; status: string; flowId: string }[] };
            assert.ok(out.instances.length >= 1);
            assert.ok(out.instances.every((i) => i.status === "FAILED" && i.flowId === DEMO_IDS.alwaysFailingFlowId));
            const expected = emu.instances().filter((i) => i.flowId === DEMO_IDS.alwaysFailingFlowId && i.status === "FAILED").map((i) => i.id);
            assert.deepEqual(out.instances.map((i) => i.id).sort(), expected.sort());

            const limited = await run(["list", "-p", PROJECT, "--limit", "2", "--json"]);
            assert.equal((json(limited) as { instances: unknown[] }).instances.length, 2);
            const none = await run(["list", "-p", PROJECT, "--status", "SUSPENDED"]);
            assert.match(none.stderr, /no runs in project FP-D3M0000000000001 in status SUSPENDED/);
        });
    });

    describe("usage errors exit 2 and say what to do", () => {
        const cases: [string, string[], RegExp][] = [
            ["a malformed instance ID", ["status", "FI-123", "-p", PROJECT], /"FI-123" is not a flow instance ID: expected the shape FI-0123456789ABCDEF/],
            ["a malformed project ID", ["list", "-p", "proj"], /"proj" is not a project ID/],
            ["an unknown command", ["stats"], /unknown command 'stats'[\s\S]*--help/],
            ["an unknown option", ["list", "-p", PROJECT, "--colour"], /unknown option '--colour'/],
            ["a missing project", ["status", "FI-0000000000000000"], /status needs the project that owns FI-0000000000000000: pass --project FP-… \(or set EMR_FLOW_PROJECT\)/],
            ["a missing flow", ["submit", "-p", PROJECT], /required option '-f, --flow <id>' not specified/],
            ["a conf that is not key=value", ["submit", "-p", PROJECT, "-f", DEMO_IDS.succeedingFlowId, "--conf", "bizdate"], /--conf "bizdate" is not key=value: write it as --conf bizdate=20261127/],
            ["a cyctime that is not a time", ["submit", "-p", PROJECT, "-f", DEMO_IDS.succeedingFlowId, "--cyctime", "tomorrow"], /--cyctime "tomorrow" is not a time/],
            ["an unknown status", ["list", "-p", PROJECT, "--status", "DONE"], /"DONE" is not a flow instance status: use one or more of PREP, RUNNING/],
            ["a bad timeout", ["wait", "FI-0000000000000000", "-p", PROJECT, "--timeout", "0"], /"0" is not a timeout/],
            ["a bad endpoint", ["list", "-p", PROJECT, "--endpoint", "ftp://x"], /--endpoint/],
            ["no command", [], /Usage: emr-flow/],
        ];
        for (const [what, args, message] of cases) {
            it(`for ${what}`, async () => {
                const r = await run(args);
                assert.equal(r.code, 2, `${r.stdout}\n${r.stderr}`);
                assert.match(r.stderr, message);
            });
        }

        it("for a missing region", async () => {
            const r = await run(["list", "-p", PROJECT], { ALIBABA_CLOUD_REGION: "" });
            assert.equal(r.code, 2);
            assert.match(r.stderr, /no region: pass --region \(such as --region cn-hangzhou\) or set ALIBABA_CLOUD_REGION/);
            assert.equal((await run(["list", "-p", PROJECT, "--region", "cn-hangzhou"], { ALIBABA_CLOUD_REGION: "" })).code, 0);
        });

        it("with --json, as a JSON error on stdout", async () => {
            const r = await run(["status", "FI-0000000000000000", "--json"]);
            assert.equal(r.code, 2);
            assert.deepEqual((json(r) as { error: { code: string; exitCode: number } }).error.code, "MissingProject");
            const c = await run(["status", "nope", "--json"]);
            assert.equal(c.code, 2);
            assert.equal((json(c) as { error: { exitCode: number } }).error.exitCode, 2);
        });
    });

    describe("API and credential errors exit 4", () => {
        it("for an unknown instance, naming it and the project", async () => {
            const r = await run(["status", "FI-0000000000000000", "-p", PROJECT, "--json"]);
            assert.equal(r.code, 4);
            assert.match(r.stderr, /instance FI-0000000000000000, project FP-D3M0000000000001, region cn-hangzhou failed with EMR\.FlowInstance\.NotFound/);
            assert.match(r.stderr, /Check the ID and that --project and --region are the ones it belongs to/);
            assertAdvisedOnce(r.stderr);
            assert.equal((json(r) as { error: { code: string; message: string } }).error.code, "EMR.FlowInstance.NotFound");
            assertAdvisedOnce((json(r) as { error: { message: string } }).error.message);
        });

        it("for an unknown flow", async () => {
            const r = await run(["submit", "-p", PROJECT, "-f", "F-0000000000000000"]);
            assert.equal(r.code, 4);
            assert.match(r.stderr, /EMR\.Flow\.NotFound/);
            assertAdvisedOnce(r.stderr);
        });

        /** One piece of advice for a thing not found: the command line's, naming its options, not the client's as well. */
        function assertAdvisedOnce(text: string): void {
            assert.equal(text.match(/Check the ID and that --project and --region are the ones it belongs to\./g)?.length, 1, text);
            assert.equal(text.match(/\bCheck\b/g)?.length, 1, `advice given once: ${text}`);
            assert.doesNotMatch(text, /exists in this region and that the endpoint is right/);
        }

        it("for a wrong secret, without printing it", async () => {
            const r = await run(["list", "-p", PROJECT], { ALIBABA_CLOUD_ACCESS_KEY_SECRET: "wrong-secret-never-print" });
            assert.equal(r.code, 4);
            assert.match(r.stderr, /SignatureDoesNotMatch[\s\S]*check that the AccessKey secret matches the AccessKey ID \(credentials from environment ALIBABA_CLOUD_ACCESS_KEY_ID\)/);
            assert.ok(!(r.stdout + r.stderr).includes("wrong-secret-never-print"));
            assert.ok(!(r.stdout + r.stderr).includes(TEST_KEY_SECRET));
        });

        it("for no credentials at all, listing every place looked at", async () => {
            const r = await run(["list", "-p", PROJECT], { ALIBABA_CLOUD_ACCESS_KEY_ID: "", ALIBABA_CLOUD_ACCESS_KEY_SECRET: "" });
            assert.equal(r.code, 4);
            assert.match(r.stderr, /No Alibaba Cloud credentials found\. Looked in, in order:[\s\S]*ALIBABA_CLOUD_ACCESS_KEY_ID[\s\S]*credentials file/);
        });

        it("for half a key pair", async () => {
            const r = await run(["list", "-p", PROJECT], { ALIBABA_CLOUD_ACCESS_KEY_ID: "" });
            assert.equal(r.code, 4);
            assert.match(r.stderr, /Incomplete Alibaba Cloud credentials: environment ALIBABA_CLOUD_ACCESS_KEY_SECRET is set but environment ALIBABA_CLOUD_ACCESS_KEY_ID is not/);
        });
    });
});
