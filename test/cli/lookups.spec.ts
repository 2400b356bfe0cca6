/**
 * `emr-flow projects`, `emr-flow flows` and `--project <name>`, as a user runs them: the compiled
 * command line in a child process against the emulator (seeded with shared and near names), in
 * tables and as JSON, with the exit codes of the other commands.
 */
import { strict as assert } from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { LOOKUP_IDS, LOOKUP_SEED } from "../support/lookupSeed";
import { hostEnv, TEST_KEY_ID, TEST_KEY_SECRET } from "../support/testEnv";

const MAIN = path.resolve(__dirname, "..", "..", "dist", "cli", "main.js");

interface Result {
    code: number | null;
    stdout: string;
    stderr: string;
}

describe("emr-flow projects and flows (emulator)", function () {
    this.timeout(60_000);
    let emu: RunningEmulator;
    let env: NodeJS.ProcessEnv;
    let home = "";

    function run(args: string[]): Promise<Result> {
        return new Promise((resolve, reject) => {
            const child = spawn(process.execPath, [MAIN, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
            let stdout = "";
            let stderr = "";
            child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
            child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
            child.on("error", reject);
            child.on("close", (code) => resolve({ code, stdout, stderr }));
        });
    }
    const json = (r: Result) => JSON.parse(r.stdout) as Record<string, unknown>;

    before(async () => {
        assert.ok(fs.existsSync(MAIN), `${MAIN} is missing: run npm run build first`);
        emu = await startEmulator({ accessKeyId: TEST_KEY_ID, accessKeySecret: TEST_KEY_SECRET, timeScale: 0.01, seed: LOOKUP_SEED });
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
    after(async () => {
        await emu?.close();
        if (home) fs.rmSync(home, { recursive: true, force: true });
    });

    it("projects: every project of the region in a table, across pages", async () => {
        const r = await run(["projects"]);
        assert.equal(r.code, 0, r.stderr);
        const lines = r.stdout.trimEnd().split("\n");
        assert.match(lines[0], /^PROJECT +NAME +CREATED +DESCRIPTION$/);
        assert.match(lines[1], /^FP-5EED000000000001 +data-platform +\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ +nightly pipelines$/);
        assert.equal(lines.length, 1 + 250, "three pages, every project once");
        assert.ok(!r.stdout.includes(LOOKUP_IDS.dataPlatformShanghai), "not another region's");
    });

    it("projects --name: exactly that name, as JSON with the same fields getFlowProject returns", async () => {
        const r = await run(["projects", "--name", "data-platform", "--json"]);
        assert.equal(r.code, 0, r.stderr);
        const out = json(r) as { regionId: string; total: number; projects: { projectId: string; name: string; regionId: string; description?: string; userId?: string }[] };
        assert.equal(out.total, 1);
        assert.deepEqual(
            out.projects.map(({ projectId, name, regionId, description, userId }) => ({ projectId, name, regionId, description, userId })),
            [{ projectId: LOOKUP_IDS.dataPlatform, name: "data-platform", regionId: "cn-hangzhou", description: "nightly pipelines", userId: "1230404" }],
        );
        const none = await run(["projects", "--name", "data"]);
        assert.equal(none.code, 0);
        assert.match(none.stderr, /no project is named "data" in region cn-hangzhou; list them all with: emr-flow projects/);
        assert.equal(none.stdout, "", "stdout holds results only");
        const noneJson = await run(["projects", "--name", "data", "--json"]);
        assert.equal(noneJson.code, 0, noneJson.stderr);
        assert.deepEqual(json(noneJson), { regionId: "cn-hangzhou", total: 0, projects: [] });
        const shanghai = await run(["projects", "--name", "data-platform", "--region", "cn-shanghai", "--json"]);
        assert.deepEqual((json(shanghai) as { projects: { projectId: string }[] }).projects.map((p) => p.projectId), [LOOKUP_IDS.dataPlatformShanghai]);
    });

    it("flows --project <name>: the project's flows with IDs and schedules", async () => {
        const r = await run(["flows", "--project", "data-platform"]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(
            r.stdout.replace(/C-[0-9A-F]{16}/g, "C-…"),
            [
                "FLOW                NAME            SCHEDULE        CRON         CLUSTER",
                "F-5EED000000000001  nightly-etl     UNDER_SCHEDULE  0 0 2 * * ?  C-…",
                "F-5EED000000000002  nightly-etl-v2  STOP_SCHEDULE   -            C-…",
                "F-5EED000000000003  report          STOP_SCHEDULE   -            C-…",
                "F-5EED000000000004  report          STOP_SCHEDULE   -            C-…",
                "",
            ].join("\n"),
        );
    });

    it("flows --project <bare ID> --name: exactly that name, as JSON", async () => {
        const r = await run(["flows", "--project", LOOKUP_IDS.dataPlatform.slice(3), "--name", "report", "--json"]);
        assert.equal(r.code, 0, r.stderr);
        const out = json(r) as { projectId: string; total: number; flows: { flowId: string; name: string; projectId: string }[] };
        assert.equal(out.projectId, LOOKUP_IDS.dataPlatform);
        assert.deepEqual(out.flows.map((f) => [f.flowId, f.name, f.projectId]), [
            [LOOKUP_IDS.reportA, "report", LOOKUP_IDS.dataPlatform],
            [LOOKUP_IDS.reportB, "report", LOOKUP_IDS.dataPlatform],
        ]);
        const none = await run(["flows", "-p", LOOKUP_IDS.dataPlatformDev, "--name", "report"]);
        assert.equal(none.code, 0);
        assert.match(none.stderr, /no flow is named "report" in project FP-5EED000000000002/);
        assert.equal(none.stdout, "", "stdout holds results only");
    });

    it("--project <name> works in the other commands: submit and list", async () => {
        const submitted = await run(["submit", "--project", "data-platform", "--flow", LOOKUP_IDS.nightly, "--json"]);
        assert.equal(submitted.code, 0, submitted.stderr);
        const { instanceId, projectId } = json(submitted) as { instanceId: string; projectId: string };
        assert.equal(projectId, LOOKUP_IDS.dataPlatform);
        assert.equal(emu.instances().find((i) => i.id === instanceId)?.projectId, LOOKUP_IDS.dataPlatform);
        const listed = await run(["list", "-p", "data-platform", "--json"]);
        assert.equal(listed.code, 0, listed.stderr);
        assert.ok((json(listed) as { instances: { id: string }[] }).instances.some((i) => i.id === instanceId));
    });

    describe("a --project that names no project, or several, or is another kind of ID, exits 2", () => {
        const cases: [string, string[], RegExp, string][] = [
            ["several projects share the name", ["flows", "--project", "shared"], /--project "shared" is not a project ID, and 2 projects are named "shared" in region cn-hangzhou: FP-5EED000000000003 \("shared"\), FP-5EED000000000004 \("shared"\)\. Pass the ID/, "AmbiguousProject"],
            ["no project has the name", ["list", "--project", "data"], /--project "data" is not a project ID, and no project is named "data" in region cn-hangzhou; names that come close: FP-5EED000000000001 \("data-platform"\)/, "ProjectNotFound"],
            ["a flow ID", ["flows", "--project", LOOKUP_IDS.nightly], /"F-5EED000000000001" is a flow ID, not a project ID \(FP-0123456789ABCDEF\); pass the project's ID or its name; list them with: emr-flow projects/, "commander.invalidArgument"],
        ];
        for (const [what, args, message, code] of cases) {
            it(`when ${what}`, async () => {
                const before = emu.stats().calls.SubmitFlow ?? 0;
                const r = await run([...args, "--json"]);
                assert.equal(r.code, 2, `${r.stdout}\n${r.stderr}`);
                assert.match(r.stderr + (json(r) as { error: { message: string } }).error.message, message);
                assert.equal((json(r) as { error: { code: string } }).error.code, code);
                assert.equal((json(r) as { error: { exitCode: number } }).error.exitCode, 2);
                assert.doesNotMatch(r.stderr, /^\s*[{[]/m, "the JSON document is on stdout only");
                assert.equal(emu.stats().calls.SubmitFlow ?? 0, before);
            });
        }

        it("with a bad conf, before any call", async () => {
            const calls = JSON.stringify(emu.stats().calls);
            const r = await run(["submit", "--project", "data-platform", "--flow", LOOKUP_IDS.nightly, "--conf", "bizdate"]);
            assert.equal(r.code, 2);
            assert.match(r.stderr, /--conf "bizdate" is not key=value/);
            assert.equal(JSON.stringify(emu.stats().calls), calls, "the name was not looked up");
        });
    });

    it("flows without a project says how to give one", async () => {
        const r = await run(["flows"]);
        assert.equal(r.code, 2);
        assert.match(r.stderr, /flows needs a project: pass --project FP-…/);
    });
});
