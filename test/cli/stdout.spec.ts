/**
 * What `emr-flow` promises about its streams, run as a user runs it (the compiled entry point in a
 * child process against the emulator): stdout holds only the result (`$(emr-flow submit … --wait)`
 * captures a bare ID), everything else goes to stderr; with `--json`, stdout is exactly one JSON
 * document, also with no command, for help and version, and when Ctrl-C stops a wait. Errors name
 * what the user typed.
 */
import { strict as assert } from "assert";
import { spawn } from "child_process";
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

describe("emr-flow keeps stdout for the result", function () {
    this.timeout(60_000);
    let emu: RunningEmulator;
    let home: string;
    let env: NodeJS.ProcessEnv;

    function run(args: string[], extraEnv: NodeJS.ProcessEnv = {}, interruptAfterMs?: number): Promise<Result> {
        return new Promise((resolve, reject) => {
            const child = spawn(process.execPath, [MAIN, ...args], { env: { ...env, ...extraEnv }, stdio: ["ignore", "pipe", "pipe"] });
            let stdout = "";
            let stderr = "";
            child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
            child.stderr.on("data", (d: Buffer) => {
                stderr += d.toString();
            });
            if (interruptAfterMs !== undefined) setTimeout(() => child.kill("SIGINT"), interruptAfterMs);
            child.on("error", reject);
            child.on("close", (code) => resolve({ code, stdout, stderr }));
        });
    }
    /** stdout must be exactly one JSON document. */
    const onlyJson = (r: Result): Record<string, unknown> => {
        try {
            return JSON.parse(r.stdout) as Record<string, unknown>;
        } catch {
            assert.fail(`stdout is not one JSON document: ${JSON.stringify(r.stdout)} (stderr: ${r.stderr})`);
        }
    };

    before(async () => {
        assert.ok(fs.existsSync(MAIN), `${MAIN} is missing: run npm run build first`);
        emu = await startEmulator({ accessKeyId: TEST_KEY_ID, accessKeySecret: TEST_KEY_SECRET, timeScale: 0.01 });
        home = fs.mkdtempSync(path.join(os.tmpdir(), "emr-flow-cli-stdout-"));
        env = hostEnv(home, {
            PATH: process.env.PATH,
            ALIBABA_CLOUD_ACCESS_KEY_ID: TEST_KEY_ID,
            ALIBABA_CLOUD_ACCESS_KEY_SECRET: TEST_KEY_SECRET,
            ALIBABA_CLOUD_ENDPOINT_EMR: emu.url,
            ALIBABA_CLOUD_REGION: "cn-hangzhou",
            EMR_FLOW_PROJECT: PROJECT,
        });
    });
    after(async () => {
        await emu?.close();
        fs.rmSync(home, { recursive: true, force: true });
    });

    it("submit --wait: $(…) captures the bare instance ID; the progress goes to stderr", async () => {
        const r = await run(["submit", "--flow", DEMO_IDS.succeedingFlowId, "--wait"]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /^FI-[0-9A-F]{16}\n$/);
        assert.match(r.stderr, /emr-flow: submitted flow .* as FI-/);
        assert.match(r.stderr, /SUCCEEDED, 3\/3 nodes finished/);
    });

    it("kill of a run that already ended, rerun and an empty list: notes on stderr, nothing on stdout", async () => {
        const id = (await run(["submit", "--flow", DEMO_IDS.alwaysFailingFlowId, "--wait"])).stdout.trim();
        assert.match(id, /^FI-/);
        const kill = await run(["kill", id]);
        assert.equal(kill.code, 0, kill.stderr);
        assert.equal(kill.stdout, "");
        assert.match(kill.stderr, /already ended \(FAILED\); nothing to kill/);
        const rerun = await run(["rerun", id]);
        assert.equal(rerun.stdout, "");
        assert.match(rerun.stderr, /rerunning/);
        const list = await run(["list", "--status", "SUSPENDED"]);
        assert.equal(list.stdout, "");
        assert.match(list.stderr, /no runs/);
    });

    it("--json with no command: one JSON error document, exit 2", async () => {
        const r = await run(["--json"]);
        assert.equal(r.code, 2);
        const doc = onlyJson(r);
        assert.deepEqual(Object.keys(doc), ["error"]);
        assert.equal((doc.error as { code: string }).code, "MissingCommand");
        assert.match((doc.error as { message: string }).message, /submit, status, wait, kill, rerun, list/);
    });

    it("--json --help and --json --version: one JSON document each", async () => {
        const help = await run(["--json", "--help"]);
        assert.equal(help.code, 0);
        assert.match(String(onlyJson(help).help), /Usage: emr-flow/);
        const version = await run(["--json", "--version"]);
        assert.equal(onlyJson(version).version, (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string }).version);
    });

    it("Ctrl-C during wait --json: exit 130 with one JSON document saying the run goes on", async () => {
        emu.configure({ timeScale: 1 });
        try {
            const id = (await run(["submit", "--flow", DEMO_IDS.longFlowId])).stdout.trim();
            const r = await run(["wait", id, "--json"], {}, 1500);
            assert.equal(r.code, 130, r.stderr);
            const doc = onlyJson(r);
            assert.equal((doc.error as { code: string }).code, "Interrupted");
            assert.match((doc.error as { message: string }).message, new RegExp(`${id} goes on`));
            const plain = await run(["wait", id], {}, 1500);
            assert.equal(plain.code, 130);
            assert.equal(plain.stdout, "");
        } finally {
            emu.configure({ timeScale: 0.01 });
        }
    });

    it("--conf cyctime=… is reported as what was typed", async () => {
        const r = await run(["submit", "--flow", DEMO_IDS.succeedingFlowId, "--conf", "cyctime=123"]);
        assert.equal(r.code, 2);
        assert.match(r.stderr, /--conf cyctime=123: /);
        assert.ok(!r.stderr.includes("--cyctime"), r.stderr);
    });

    it("a conf too large once encoded is refused before any call, with its size and the limit", async () => {
        const before = emu.stats().calls.SubmitFlow ?? 0;
        const r = await run(["submit", "--flow", DEMO_IDS.succeedingFlowId, "--conf", `note=${"中".repeat(5000)}`]);
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, /takes \d+ bytes as sent .* over the limit of 12288/);
        assert.equal(emu.stats().calls.SubmitFlow ?? 0, before);
    });

    it("a security token alone is named as found and ignored", async () => {
        const r = await run(["status", "FI-0000000000000000"], { ALIBABA_CLOUD_ACCESS_KEY_ID: "", ALIBABA_CLOUD_ACCESS_KEY_SECRET: "", ALIBABA_CLOUD_SECURITY_TOKEN: "lonely-token-never-print" });
        assert.equal(r.code, 4, r.stderr);
        assert.match(r.stderr, /No Alibaba Cloud credentials found/);
        assert.match(r.stderr, /ALIBABA_CLOUD_SECURITY_TOKEN is set, but neither environment ALIBABA_CLOUD_ACCESS_KEY_ID nor environment ALIBABA_CLOUD_ACCESS_KEY_SECRET is/);
        assert.ok(!r.stderr.includes("lonely-token-never-print"));
    });
});
