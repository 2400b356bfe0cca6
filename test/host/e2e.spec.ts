/**
 * The final proof: a real `pulumi up`, `refresh` and `destroy` of the quickstart against the
 * local emulator, on a local file backend. It runs wherever a working `pulumi` CLI is found and
 * otherwise reports itself skipped with the reason; it never passes without running.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { findPulumiCli } from "../support/pulumiCli";
import { hostEnv, TEST_KEY_ID, TEST_KEY_SECRET } from "../support/testEnv";

const ROOT = path.resolve(__dirname, "..", "..");
const QUICKSTART = path.join(ROOT, "examples", "quickstart");
const cli = findPulumiCli();

describe("pulumi up / refresh / destroy with the real CLI", function () {
    this.timeout(600_000);

    if (!cli.command) {
        it.skip(`quickstart against the emulator — skipped: ${cli.reason}`, () => undefined);
        return;
    }

    let emu: RunningEmulator;
    let work: string;
    const stack = `e2e-${process.pid}`;
    let env: NodeJS.ProcessEnv;

    const pulumi = (...args: string[]) => {
        const r = spawnSync(cli.command!, [...args, "--non-interactive"], { cwd: QUICKSTART, env, encoding: "utf8", timeout: 300_000 });
        const out = `${r.stdout}\n${r.stderr}`;
        assert.equal(r.status, 0, `pulumi ${args.join(" ")} failed:\n${out}`);
        assert.ok(!out.includes(TEST_KEY_SECRET), "the AccessKey secret appeared in pulumi's output");
        return r.stdout;
    };

    before(async () => {
        emu = await startEmulator({ accessKeyId: TEST_KEY_ID, accessKeySecret: TEST_KEY_SECRET, timeScale: 0.05 });
        work = fs.mkdtempSync(path.join(os.tmpdir(), "emr-flow-e2e-"));
        fs.mkdirSync(path.join(work, "state"));
        env = {
            ...process.env,
            ...hostEnv(path.join(work), {
                // The CLI finds its language plugins beside itself.
                PATH: `${path.dirname(cli.command!)}${path.delimiter}${process.env.PATH ?? ""}`,
                PULUMI_BACKEND_URL: `file://${path.join(work, "state")}`,
                PULUMI_CONFIG_PASSPHRASE: "e2e-passphrase",
                PULUMI_SKIP_UPDATE_CHECK: "true",
                ALIBABA_CLOUD_ACCESS_KEY_ID: TEST_KEY_ID,
                ALIBABA_CLOUD_ACCESS_KEY_SECRET: TEST_KEY_SECRET,
                ALIBABA_CLOUD_REGION: "cn-hangzhou",
                ALIBABA_CLOUD_ENDPOINT_EMR: emu.url,
            }),
        };
        pulumi("stack", "init", stack);
    });
    after(async () => {
        if (env) {
            spawnSync(cli.command!, ["stack", "rm", stack, "--yes", "--force", "--non-interactive"], { cwd: QUICKSTART, env });
            fs.rmSync(path.join(QUICKSTART, `Pulumi.${stack}.yaml`), { force: true });
        }
        if (work) fs.rmSync(work, { recursive: true, force: true });
        await emu?.close();
    });

    it(`submits on up, reads on refresh, leaves the run on destroy (${cli.version})`, () => {
        pulumi("up", "--yes", "--stack", stack);
        const outputs = JSON.parse(pulumi("stack", "output", "--json", "--stack", stack)) as { instanceId: string; status: string };
        assert.match(outputs.instanceId, /^FI-/);
        assert.equal(outputs.status, "SUCCEEDED");
        assert.equal(emu.instances().filter((i) => i.id === outputs.instanceId).length, 1);

        pulumi("refresh", "--yes", "--stack", stack);
        pulumi("up", "--yes", "--stack", stack);
        assert.equal(emu.instances().length, 1, "a second up with nothing changed submits nothing");

        pulumi("destroy", "--yes", "--stack", stack);
        assert.ok(emu.instances().some((i) => i.id === outputs.instanceId));
    });
});
