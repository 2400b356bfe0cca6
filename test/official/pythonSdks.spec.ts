/**
 * Alibaba's official Python SDKs for Emr 2016-04-08 talking to the emulator: the Tea SDK
 * `alibabacloud-emr20160408` (with its default ACS3-HMAC-SHA256 signing and with v2 HMAC-SHA1)
 * and the core SDK `aliyun-python-sdk-emr` on `aliyun-python-sdk-core`, at the versions pinned in
 * python/requirements.txt. Each runs SubmitFlow, DescribeFlowInstance, ListFlowInstance and
 * RerunFlow with its own request classes and reads the answers with its own models.
 *
 * The SDKs live in a virtual environment outside the repository's tracked files: `.ci/run` makes
 * one (scripts/official-python-venv.sh) and names its interpreter in EMR_FLOW_OFFICIAL_PYTHON;
 * locally, `.venv-official/` (ignored by git) is used when present. Without Python or without the
 * packages, every test here reports itself skipped and says why.
 */
import { strict as assert } from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { startEmulator, DEMO_IDS, DEMO_SEED, type RunningEmulator, type Seed } from "../../emulator";

const ROOT = path.resolve(__dirname, "../..");
const SCRIPT = path.join(__dirname, "python", "official_clients.py");
const KEY_ID = "python-sdk-key";
const SECRET = "python-sdk-secret-3e4r5t";
const CHILD_FLOW = "F-CH11D00000000001";
const PINNED = { "alibabacloud-emr20160408": "1.0.3", "alibabacloud-tea-openapi": "0.4.6", "aliyun-python-sdk-emr": "3.3.10", "aliyun-python-sdk-core": "2.16.1" };

const SEED: Seed = {
    ...DEMO_SEED,
    projects: DEMO_SEED.projects.map((p) =>
        p.id !== DEMO_IDS.projectId ? p : { ...p, flows: [...p.flows, { id: CHILD_FLOW, name: "child", dependsOn: [DEMO_IDS.failOnceFlowId], nodes: [{ name: "a", jobType: "SHELL", durationMs: 100_000 }] }] },
    ),
};

function run(file: string, args: string[], timeoutMs = 60_000): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
        // No proxy and no credential lookups: the SDKs must only see the loopback endpoint they are given.
        const env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NO_PROXY: "*", no_proxy: "*", ALIBABA_CLOUD_ECS_METADATA_DISABLED: "true", ALIBABA_CLOUD_CLI_PROFILE_DISABLED: "true" };
        execFile(file, args, { env, timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
            const code = err ? (typeof (err as NodeJS.ErrnoException).code === "number" ? Number((err as NodeJS.ErrnoException).code) : 1) : 0;
            resolve({ code, stdout: String(stdout), stderr: String(stderr) });
        });
    });
}

/** The interpreter with the official SDKs, or why there is none. */
async function findPython(): Promise<{ python: string } | { skip: string }> {
    const candidates = [process.env.EMR_FLOW_OFFICIAL_PYTHON, path.join(ROOT, ".venv-official", "bin", "python")].filter((p): p is string => !!p);
    const python = candidates.find((p) => fs.existsSync(p));
    if (!python) {
        return { skip: `no Python with Alibaba's official SDKs: set EMR_FLOW_OFFICIAL_PYTHON or run scripts/official-python-venv.sh .venv-official (looked at ${candidates.join(", ") || "nothing"})` };
    }
    const probe = await run(python, ["-c", "import alibabacloud_emr20160408, aliyunsdkemr, aliyunsdkcore"], 30_000);
    if (probe.code !== 0) return { skip: `${python} lacks the official SDK packages: ${probe.stderr.trim().split("\n").pop()}` };
    return { python };
}

interface ClientResult {
    versions: Record<string, string>;
    submit: { status: number; id: string; requestId: string; method?: string };
    describe: {
        id: string;
        status: string;
        scheduleTime: number;
        hasNodeFailed: boolean;
        nodes: { id: string; name: string; type: string; status: string; externalStatus: string; maxRetry: string; retryInterval: string; projectId: string; gmtCreate: number }[];
    };
    dependencies: { dependencyFlowId: string; dependencyInstanceId: string; meet: boolean; flowId: string; flowInstanceId: string }[];
    list: { total: number; pageSize: number; ids: string[]; statuses: string[] };
    rerun: { data: boolean };
    afterRerun: string;
    wrongSecret: string;
    killFlow?: { code: string; status: number };
}

describe("Alibaba's official Python SDKs against the emulator", function () {
    this.timeout(120_000);
    let emu: RunningEmulator;
    let found: { python: string } | { skip: string };

    before(async () => {
        found = await findPython();
        if ("skip" in found) {
            // Said once, loudly: mocha's "pending" alone would not say why.
            console.log(`      skipped: ${found.skip}`);
            return;
        }
        emu = await startEmulator({ accessKeyId: KEY_ID, accessKeySecret: SECRET, seed: SEED, timeScale: 0.01 });
    });
    after(async () => {
        await emu?.close();
    });
    beforeEach(function () {
        if ("skip" in found) this.skip();
        emu.reset();
    });

    const config = () => ({ port: emu.port, accessKeyId: KEY_ID, accessKeySecret: SECRET, regionId: DEMO_IDS.regionId, projectId: DEMO_IDS.projectId, failOnceFlowId: DEMO_IDS.failOnceFlowId, childFlowId: CHILD_FLOW });

    async function drive(client: string): Promise<ClientResult> {
        const python = (found as { python: string }).python;
        const r = await run(python, [SCRIPT, client, JSON.stringify(config())]);
        assert.equal(r.code, 0, `${client} failed:\n${r.stderr}`);
        return JSON.parse(r.stdout) as ClientResult;
    }

    function assertScenario(result: ClientResult): void {
        for (const [name, version] of Object.entries(PINNED)) assert.equal(result.versions[name], version, name);
        const [parent, child, again] = emu.instances();
        assert.ok(parent && child, "both submissions reached the emulator");
        assert.equal(again, undefined, "and nothing else was created (the wrong secret created nothing)");
        assert.deepEqual([result.submit.status, result.submit.id], [200, parent.id]);
        assert.match(result.submit.requestId, /^[0-9A-F-]{36}$/);
        assert.deepEqual([result.describe.id, result.describe.status, result.describe.scheduleTime, result.describe.hasNodeFailed], [parent.id, "FAILED", 1542783967503, true]);
        assert.deepEqual(
            result.describe.nodes.map((n) => [n.name, n.type, n.status, n.externalStatus, n.maxRetry, n.retryInterval, n.projectId]),
            [
                ["prepare", "JOB", "SUCCESS", "SUCCESS", "0", "0", DEMO_IDS.projectId],
                ["aggregate", "JOB", "FAILED", "FAILED", "0", "0", DEMO_IDS.projectId],
            ],
        );
        assert.ok(result.describe.nodes.every((n) => typeof n.gmtCreate === "number" && /^FNI-[0-9A-F]{16}$/.test(n.id)));
        assert.deepEqual(result.dependencies, [{ dependencyFlowId: DEMO_IDS.failOnceFlowId, dependencyInstanceId: parent.id, meet: false, flowId: CHILD_FLOW, flowInstanceId: child.id }]);
        assert.deepEqual(result.list, { total: 1, pageSize: 10, ids: [parent.id], statuses: ["FAILED"] });
        assert.deepEqual(result.rerun, { data: true });
        assert.equal(result.afterRerun, "SUCCEEDED");
        assert.deepEqual(parent.events.map((e) => e.kind), ["rerun"]);
        assert.equal(emu.stats().calls.SubmitFlow, 3, "two accepted submissions and the wrongly signed one");
    }

    it("alibabacloud-emr20160408 1.0.3 with its default ACS3-HMAC-SHA256 signing", async () => {
        const result = await drive("tea-v3");
        assertScenario(result);
        assert.equal(result.wrongSecret, "SignatureDoesNotMatch");
    });

    it("alibabacloud-emr20160408 1.0.3 with signature_algorithm v2 (HMAC-SHA1)", async () => {
        const result = await drive("tea-v2");
        assertScenario(result);
        assert.equal(result.wrongSecret, "SignatureDoesNotMatch");
    });

    it("aliyun-python-sdk-emr 3.3.10 on aliyun-python-sdk-core 2.16.1 (HMAC-SHA1, POST with the parameters in the query)", async () => {
        const result = await drive("core");
        assertScenario(result);
        assert.equal(result.submit.method, "POST");
        // The core SDK compares the server's string to sign (after the ':' of SignatureDoesNotMatch)
        // with its own and, when they are equal, says the secret is wrong: so they were equal.
        assert.equal(result.wrongSecret, "InvalidAccessKeySecret");
        assert.deepEqual(result.killFlow, { code: "InvalidAction.NotFound", status: 404 });
    });
});
