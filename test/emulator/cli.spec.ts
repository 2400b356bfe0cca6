import assert from "node:assert/strict";
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EmulatorCaller } from "../support/emulatorSigner";

const ROOT = join(__dirname, "..", "..");
// The CLI is compiled once into a temporary directory, so the test neither depends on a fresh
// `npm run build` nor pays ts-node's start-up on every spawn, and `node` gets the signals itself.
let cli = "";

function start(args: string[]): ChildProcessWithoutNullStreams {
    return spawn(process.execPath, [cli, ...args], { cwd: ROOT, stdio: "pipe", env: { ...process.env, NODE_PATH: join(ROOT, "node_modules") } });
}

function firstLine(child: ChildProcessWithoutNullStreams): Promise<string> {
    return new Promise((resolve, reject) => {
        let out = "";
        let err = "";
        child.stdout.on("data", (d: Buffer) => {
            out += d.toString("utf8");
            const nl = out.indexOf("\n");
            if (nl >= 0) resolve(out.slice(0, nl));
        });
        child.stderr.on("data", (d: Buffer) => (err += d.toString("utf8")));
        child.on("exit", (code) => reject(new Error(`exited with ${code} before printing: ${err}`)));
    });
}

function exit(child: ChildProcessWithoutNullStreams): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
        child.on("exit", (code) => resolve({ code, stdout, stderr }));
    });
}

describe("emulator: command line", function () {
    this.timeout(30_000);
    let dir: string;
    before(function () {
        // Compiling is set-up, not the thing tested: on a busy machine tsc alone can take longer
        // than a test may.
        this.timeout(180_000);
        dir = mkdtempSync(join(tmpdir(), "emr-emulator-cli-"));
        const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
        execFileSync(process.execPath, [tsc, "--outDir", join(dir, "out"), "--rootDir", ROOT, "--module", "commonjs", "--target", "ES2022", "--esModuleInterop", "--skipLibCheck", "--strict", "--types", "node", join(ROOT, "emulator", "cli.ts")], { cwd: ROOT, stdio: "pipe" });
        cli = join(dir, "out", "emulator", "cli.js");
        assert.match(readFileSync(cli, "utf8"), /^#!\/usr\/bin\/env node\n/, "the bin keeps its shebang");
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    for (const signal of ["SIGTERM", "SIGINT"] as const) {
        it(`prints one URL line, serves signed calls, and exits 0 on ${signal}`, async () => {
            const child = start(["--port", "0", "--access-key-id", "cli-id", "--access-key-secret", "cli-secret", "--time-scale", "0.01"]);
            const ended = exit(child);
            const line = await firstLine(child);
            const match = /^emr-flow-emulator listening on (http:\/\/127\.0\.0\.1:(\d+))$/.exec(line);
            assert.ok(match, line);
            const port = Number(match[2]);
            const api = new EmulatorCaller(port, { id: "cli-id", secret: "cli-secret" });
            const res = await api.call("SubmitFlow", { RegionId: "cn-hangzhou", ProjectId: "FP-D3M0000000000001", FlowId: "F-D3M0000000000001" });
            assert.equal(res.status, 200, res.text);
            assert.match(String(res.json["Id"]), /^FI-/);
            child.kill(signal);
            const { code, stdout } = await ended;
            assert.equal(code, 0);
            assert.equal(stdout.trim().split("\n").length, 1, "exactly one line on stdout");
        });
    }

    it("loads a seed file and rejects a bad one with a clear message and exit code 2", async () => {
        const good = join(dir, "seed.json");
        writeFileSync(good, JSON.stringify({ projects: [{ id: "FP-ABCDEF0123456789", regionId: "cn-shenzhen", flows: [{ id: "F-ABCDEF0123456789", name: "one", nodes: [{ name: "n", jobType: "SPARK", durationMs: 10 }] }] }] }));
        const child = start(["--seed", good]);
        const ended = exit(child);
        const port = Number(/:(\d+)$/.exec(await firstLine(child))![1]);
        const api = new EmulatorCaller(port, { id: "emulator-key-id", secret: "emulator-key-secret" });
        assert.equal((await api.call("SubmitFlow", { RegionId: "cn-shenzhen", ProjectId: "FP-ABCDEF0123456789", FlowId: "F-ABCDEF0123456789" })).status, 200);
        assert.equal((await api.call("SubmitFlow", { RegionId: "cn-hangzhou", ProjectId: "FP-D3M0000000000001", FlowId: "F-D3M0000000000001" })).json["Code"], "EMR.Project.NotFound");
        child.kill("SIGTERM");
        assert.equal((await ended).code, 0);

        const bad = join(dir, "bad.json");
        writeFileSync(bad, JSON.stringify({ projects: [{ id: "FP-1", regionId: "cn-hangzhou", flows: [] }] }));
        const failed = await exit(start(["--seed", bad]));
        assert.equal(failed.code, 2);
        assert.match(failed.stderr, /not a valid emulator seed[\s\S]*projects\[0\]\.id/);
    });

    it("shows help and rejects unknown or invalid flags", async () => {
        const help = await exit(start(["--help"]));
        assert.equal(help.code, 0);
        for (const flag of ["--port", "--host", "--access-key-id", "--access-key-secret", "--seed", "--latency-ms", "--rate-limit", "--time-scale"]) assert.ok(help.stdout.includes(flag), flag);
        assert.equal((await exit(start(["--bogus"]))).code, 2);
        assert.equal((await exit(start(["--port", "-5"]))).code, 2);
    });
});
