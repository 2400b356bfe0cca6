/**
 * A scratch workspace for running the real Pulumi CLI: a local file backend, a passphrase secrets
 * provider, no update check, no plugin downloads, a temporary HOME and PULUMI_HOME, explicit test
 * credentials and the emulator as the only endpoint. Projects are copied into it (their
 * `node_modules` is this repository's, linked), so nothing the CLI writes (`Pulumi.<stack>.yaml`)
 * lands in the repository.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { hostEnv, TEST_KEY_ID, TEST_KEY_SECRET } from "../support/testEnv";

const ROOT = path.resolve(__dirname, "..", "..");

export interface CliRun {
    command: string;
    code: number | null;
    signal: NodeJS.Signals | null;
    /** stdout and stderr interleaved as they arrived. */
    out: string;
    stdout: string;
    ms: number;
}

export interface RunOptions {
    /** Called with each chunk of output as it arrives; may kill the process group. */
    onOutput?(soFar: string, proc: RunningCli): void;
    /** Extra environment for this command only. */
    env?: NodeJS.ProcessEnv;
    timeoutMs?: number;
}

export interface RunningCli {
    pid: number;
    /** Signals the whole process group (the CLI, its language host and provider processes), as a terminal's Ctrl-C or a cancelled CI job does. */
    signalGroup(signal: NodeJS.Signals): void;
}

export class Workspace {
    readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "emr-flow-e2e-"));
    readonly env: NodeJS.ProcessEnv;
    /** Every command run and everything it printed, for scans over all of it. */
    readonly runs: CliRun[] = [];
    private readonly live = new Set<number>();

    constructor(
        private readonly cli: string,
        endpoint: string,
    ) {
        const home = path.join(this.dir, "home");
        fs.mkdirSync(path.join(this.dir, "state"), { recursive: true });
        fs.mkdirSync(home, { recursive: true });
        this.env = {
            ...process.env,
            ...hostEnv(home, {
                // The CLI finds its language and provider plugins beside itself; node must stay reachable.
                PATH: `${path.dirname(cli)}${path.delimiter}${process.env.PATH ?? ""}`,
                PULUMI_HOME: path.join(this.dir, "pulumi-home"),
                PULUMI_BACKEND_URL: `file://${path.join(this.dir, "state")}`,
                PULUMI_CONFIG_PASSPHRASE: "e2e-passphrase",
                PULUMI_SKIP_UPDATE_CHECK: "true",
                PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
                ALIBABA_CLOUD_ACCESS_KEY_ID: TEST_KEY_ID,
                ALIBABA_CLOUD_ACCESS_KEY_SECRET: TEST_KEY_SECRET,
                ALIBABA_CLOUD_REGION: "cn-hangzhou",
                ALIBABA_CLOUD_ENDPOINT_EMR: endpoint,
            }),
        };
        // The engine's environment must come from the engine, not from whoever runs the tests.
        for (const name of ["PULUMI_NODEJS_STACK", "PULUMI_NODEJS_PROJECT", "PULUMI_NODEJS_ORGANIZATION", "PULUMI_CONFIG", "PULUMI_ACCESS_TOKEN"]) delete this.env[name];
    }

    /** Copies a project (its `Pulumi.yaml` and `index.ts`) into the workspace under `name`; returns its directory. */
    project(source: string, name: string): string {
        const dir = path.join(this.dir, name);
        fs.mkdirSync(dir, { recursive: true });
        for (const file of ["Pulumi.yaml", "index.ts"]) fs.copyFileSync(path.join(source, file), path.join(dir, file));
        // A project of its own, as a user's has (the language host warns without one).
        fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name, private: true, main: "index.ts" }, null, 2));
        fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
        return dir;
    }

    /** Runs `pulumi <args> --non-interactive` in `cwd`; resolves when it exits, whatever the exit code. */
    run(cwd: string, args: string[], opts: RunOptions = {}): Promise<CliRun> {
        const started = Date.now();
        const command = `pulumi ${args.join(" ")}`;
        return new Promise((resolve, reject) => {
            const child = spawn(this.cli, [...args, "--non-interactive"], { cwd, env: { ...this.env, ...opts.env }, detached: true, stdio: ["ignore", "pipe", "pipe"] });
            const pid = child.pid!;
            this.live.add(pid);
            const handle: RunningCli = { pid, signalGroup: (signal) => signalGroup(pid, signal) };
            let out = "";
            let stdout = "";
            const timer = setTimeout(() => signalGroup(pid, "SIGKILL"), opts.timeoutMs ?? 300_000);
            const onData = (isStdout: boolean) => (chunk: Buffer) => {
                const text = chunk.toString("utf8");
                out += text;
                if (isStdout) stdout += text;
                opts.onOutput?.(out, handle);
            };
            child.stdout!.on("data", onData(true));
            child.stderr!.on("data", onData(false));
            child.once("error", reject);
            child.once("close", (code, signal) => {
                clearTimeout(timer);
                this.live.delete(pid);
                const run: CliRun = { command, code, signal, out, stdout, ms: Date.now() - started };
                this.runs.push(run);
                resolve(run);
            });
        });
    }

    /** Like {@link run}, and fails with the command's output unless it exits 0. */
    async ok(cwd: string, args: string[], opts: RunOptions = {}): Promise<CliRun> {
        const run = await this.run(cwd, args, opts);
        if (run.code !== 0) throw new Error(`${run.command} exited with ${run.code ?? run.signal}:\n${run.out}`);
        return run;
    }

    /** `pulumi stack output --json`. */
    async outputs(cwd: string, stack: string): Promise<Record<string, unknown>> {
        return JSON.parse((await this.ok(cwd, ["stack", "output", "--json", "--stack", stack])).stdout) as Record<string, unknown>;
    }

    /** `pulumi stack export` (secrets stay encrypted). */
    async exported(cwd: string, stack: string): Promise<{ text: string; resources: ExportedResource[] }> {
        const text = (await this.ok(cwd, ["stack", "export", "--stack", stack])).stdout;
        const parsed = JSON.parse(text) as { deployment: { resources?: ExportedResource[]; pending_operations?: unknown[] } };
        return { text, resources: parsed.deployment.resources ?? [] };
    }

    /** Ends what is still running and removes the workspace. */
    dispose(): void {
        for (const pid of this.live) signalGroup(pid, "SIGKILL");
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}

export interface ExportedResource {
    urn: string;
    type: string;
    id?: string;
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
    initErrors?: string[];
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
    try {
        process.kill(-pid, signal);
    } catch {
        // Already gone.
    }
}

/** The FlowSubmissions of an export, by resource name. */
export function flowSubmissions(resources: ExportedResource[]): Record<string, ExportedResource> {
    const out: Record<string, ExportedResource> = {};
    for (const r of resources) if (r.type === "emr-flow:index:FlowSubmission" || r.type.endsWith(":FlowSubmission")) out[r.urn.split("::").pop()!] = r;
    return out;
}
