/**
 * `npm run demo`: start the local EMR emulator, point the quickstart at it, deploy it, and show
 * the stack outputs next to what the emulator saw.
 *
 * With a working `pulumi` CLI (on PATH, or the one the official `pulumi` npm launcher, a dev
 * dependency, has fetched: `npx pulumi version` fetches it where the internet is reachable) it
 * runs `pulumi up --yes` on a local file backend. The demo itself never downloads anything: it
 * talks to 127.0.0.1 only. Without a CLI it says so on its first line and deploys the same
 * program through the engine-protocol harness: the real dynamic provider host and the same
 * provider code, driven the way `pulumi up` would drive them.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";
import { startEmulator, DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET } from "../emulator";
import { findPulumiCli } from "../test/support/pulumiCli";
import { hostEnv } from "../test/support/testEnv";

const ROOT = path.resolve(__dirname, "..");
const QUICKSTART = path.join(ROOT, "examples", "quickstart");

async function main(): Promise<void> {
    const cli = findPulumiCli();
    if (!cli.command) {
        console.log(`No Pulumi CLI (${cli.reason}); running the quickstart through the engine-protocol harness instead: the real dynamic provider host, driven as \`pulumi up\` would drive it.`);
    } else {
        console.log(`Using the Pulumi CLI ${cli.version}.`);
    }

    const emu = await startEmulator({ accessKeyId: DEFAULT_ACCESS_KEY_ID, accessKeySecret: DEFAULT_ACCESS_KEY_SECRET });
    console.log(`Local EMR emulator on ${emu.url} (demo project FP-D3M0000000000001, region cn-hangzhou).`);
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "emr-flow-demo-"));
    const env = hostEnv(work, {
        ALIBABA_CLOUD_ACCESS_KEY_ID: DEFAULT_ACCESS_KEY_ID,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEFAULT_ACCESS_KEY_SECRET,
        ALIBABA_CLOUD_REGION: "cn-hangzhou",
        ALIBABA_CLOUD_ENDPOINT_EMR: emu.url,
    });
    try {
        let outputs: Record<string, unknown>;
        if (cli.command) {
            // The CLI finds its language plugins beside itself.
            outputs = withCli(cli.command, work, { ...process.env, ...env, PATH: `${path.dirname(cli.command)}${path.delimiter}${process.env.PATH ?? ""}` });
        } else {
            outputs = await withHarness(env);
        }
        console.log("\nStack outputs:");
        for (const [key, value] of Object.entries(outputs)) console.log(`  ${key}: ${JSON.stringify(value)}`);
        const seen = emu.instances().find((i) => i.id === outputs.instanceId);
        console.log(`\nThe emulator's view of ${String(outputs.instanceId)}: ${seen ? `${seen.status}, flow ${seen.flowId}, conf ${JSON.stringify(seen.conf)}` : "not found"}`);
        console.log(`Nodes: ${seen ? seen.nodes.map((n) => `${n.nodeName} ${n.status}`).join(", ") : "-"}`);
    } finally {
        await emu.close();
        fs.rmSync(work, { recursive: true, force: true });
    }
}

function withCli(command: string, work: string, env: NodeJS.ProcessEnv): Record<string, unknown> {
    const stack = "demo";
    const runEnv = { ...env, PULUMI_BACKEND_URL: `file://${work}`, PULUMI_CONFIG_PASSPHRASE: "demo", PULUMI_SKIP_UPDATE_CHECK: "true" };
    const run = (args: string[], capture = false) => {
        const r = spawnSync(command, args, { cwd: ROOT, env: runEnv, stdio: capture ? ["ignore", "pipe", "inherit"] : "inherit", encoding: "utf8" });
        if (r.status !== 0) throw new Error(`pulumi ${args.join(" ")} exited with ${r.status}`);
        return r.stdout ?? "";
    };
    run(["stack", "init", stack, "--non-interactive"]);
    try {
        run(["up", "--yes", "--stack", stack, "--non-interactive"]);
        return JSON.parse(run(["stack", "output", "--json", "--stack", stack], true)) as Record<string, unknown>;
    } finally {
        spawnSync(command, ["stack", "rm", stack, "--yes", "--force", "--non-interactive"], { cwd: ROOT, env: runEnv, stdio: "ignore" });
        fs.rmSync(path.join(ROOT, `Pulumi.${stack}.yaml`), { force: true });
    }
}

async function withHarness(env: NodeJS.ProcessEnv): Promise<Record<string, unknown>> {
    const { ProviderHost, requireFresh } = await import("../test/engine-imitation");
    const { MiniEngine } = await import("../test/engine-imitation/miniEngine");
    const host = await ProviderHost.start({ cwd: ROOT, project: "emr-flow-quickstart", stack: "demo", env });
    // What the provider prints reaches `pulumi up` as plain lines; show them as they come.
    let shown = 0;
    const pump = setInterval(() => {
        const lines = host.output();
        for (; shown < lines.length; shown++) console.log(`  ${lines[shown]}`);
    }, 100);
    try {
        await host.configure({});
        const engine = new MiniEngine(host, "emr-flow-quickstart", "demo");
        console.log("\nUpdating (demo):");
        const { steps, result } = await engine.up(() => requireFresh(path.join(QUICKSTART, "index.ts")));
        // The provider's lines travel on a pipe apart from the gRPC answers: let the last ones in.
        await new Promise((resolve) => setTimeout(resolve, 300));
        for (const step of steps) console.log(`  ${step.kind} ${step.urn.split("::").pop()} (${step.id})`);
        return result.outputs as Record<string, unknown>;
    } finally {
        clearInterval(pump);
        const lines = host.output();
        for (; shown < lines.length; shown++) console.log(`  ${lines[shown]}`);
        await host.stop();
    }
}

main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
});
