/**
 * What every figure shares: statistics, the hosts' environment and configuration, the resource
 * inputs, and the `__provider` texts of the three providers compared.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { performance } from "perf_hooks";

import { DEMO_IDS, startEmulator, type EmulatorOptions, type RunningEmulator } from "../emulator";
import { ProviderHost, secret, serializeProvider, urnFor, type PropertyMap } from "../test/engine-imitation";
import { hostEnv, TEST_KEY_ID, TEST_KEY_SECRET } from "../test/support/testEnv";
import { bareProvider } from "./fixtures/bareProvider";
import { minimalProvider } from "./fixtures/minimalProvider";

export const ROOT = path.resolve(__dirname, "..");
export const PROJECT = "bench";
export const RESOURCE_TYPE = "pulumi-nodejs:dynamic/emr-flow:FlowSubmission";

/** One row of the results table. */
export interface Figure {
    figure: string;
    /**
     * The stack config this row sets beyond credentials, region and endpoint; empty: what a user
     * gets by default.
     */
    settings: Record<string, string>;
    /** What was measured, in the row's unit. */
    ours: number;
    baseline: number | null;
    /** ours / baseline, or the figure compared with its goal when there is no baseline. */
    ratio: number | null;
    unit: string;
    goal: string;
    met: boolean;
    /** Everything else measured for the row (medians, p90s, counts), for the JSON. */
    detail: Record<string, unknown>;
    /** Why it is what it is, when it misses or needs a word. */
    note?: string;
}

export function quantile(values: readonly number[], q: number): number {
    if (values.length === 0) return NaN;
    const sorted = [...values].sort((a, b) => a - b);
    const pos = (sorted.length - 1) * q;
    const lo = Math.floor(pos);
    const hi = Math.ceil(pos);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export const median = (v: readonly number[]): number => quantile(v, 0.5);
export const p90 = (v: readonly number[]): number => quantile(v, 0.9);

export function summary(values: readonly number[]): { median: number; p90: number; n: number } {
    return { median: round(median(values)), p90: round(p90(values)), n: values.length };
}

export function round(x: number, digits = 3): number {
    const f = 10 ** digits;
    return Math.round(x * f) / f;
}

export async function timed<T>(body: () => Promise<T>): Promise<{ ms: number; value: T }> {
    const t0 = performance.now();
    const value = await body();
    return { ms: performance.now() - t0, value };
}

export function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The emulator every figure talks to, with the tests' key pair. */
export function emulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
    return startEmulator({ accessKeyId: TEST_KEY_ID, accessKeySecret: TEST_KEY_SECRET, ...options });
}

/** The stack config the engine would send: credentials, region, the emulator as endpoint. */
export function stackConfig(emu: RunningEmulator, extra: Record<string, string> = {}): Record<string, string> {
    return { "alicloud:accessKey": TEST_KEY_ID, "alicloud:secretKey": TEST_KEY_SECRET, "alicloud:region": "cn-hangzhou", "emr-flow:endpoint": emu.url, ...extra };
}

/** A host in `cwd` with a temporary home (so nothing outside the run is read or written), configured. */
export async function startHost(
    emu: RunningEmulator,
    opts: { cwd?: string; env?: NodeJS.ProcessEnv; config?: Record<string, string>; profileDir?: string; skipConfigure?: boolean } = {},
): Promise<{ host: ProviderHost; home: string }> {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "emr-flow-bench-home-"));
    const env = hostEnv(home, { ...opts.env, ...(opts.profileDir ? { EMR_FLOW_BENCH_PROFILE_DIR: opts.profileDir } : {}) });
    const hostScript = opts.profileDir ? path.join(__dirname, "profiledHost.js") : undefined;
    const host = await ProviderHost.start({ cwd: opts.cwd ?? ROOT, project: PROJECT, env, hostScript });
    if (!opts.skipConfigure) await configureHost(host, emu, opts.config);
    return { host, home };
}

/** Configure as the engine sends it: the stack config, the secret key marked secret. */
export async function configureHost(host: ProviderHost, emu: RunningEmulator, extra: Record<string, string> = {}): Promise<void> {
    const config = stackConfig(emu, extra);
    await host.configure({ ...config, "alicloud:secretKey": secret(config["alicloud:secretKey"]) });
}

export async function stopHost(h: { host: ProviderHost; home: string }): Promise<void> {
    await h.host.stop();
    fs.rmSync(h.home, { recursive: true, force: true });
}

/** The inputs of one submission that returns as soon as SubmitFlow answers. */
export function submissionInputs(providerText: string): PropertyMap {
    return { __provider: providerText, projectId: DEMO_IDS.projectId, flowId: DEMO_IDS.succeedingFlowId, regionId: "cn-hangzhou", waitFor: "submission" };
}

let counter = 0;
/** Check + Create of a fresh resource, as the engine sends them for a new resource. */
export async function checkAndCreate(host: ProviderHost, inputs: PropertyMap): Promise<string> {
    const urn = urnFor(`r${++counter}`, PROJECT, "stack", RESOURCE_TYPE);
    const checked = await host.check(urn, {}, inputs);
    if (checked.failures.length > 0) throw new Error(`check failed: ${JSON.stringify(checked.failures)}`);
    const created = await host.create(urn, checked.inputs);
    return created.id;
}

/**
 * A program that registers one FlowSubmission under mocks and prints its `__provider`: run in a
 * process of its own (mocks are process-wide) in `cwd`, so `pulumi-emr-flow` and `@pulumi/pulumi`
 * resolve as they do for a user's program there.
 */
const CAPTURE = `
const pulumi = require("@pulumi/pulumi");
let text;
pulumi.runtime.setMocks({
    newResource: (args) => { if (typeof args.inputs.__provider === "string") text = args.inputs.__provider; return { id: args.name + "-id", state: args.inputs }; },
    call: (args) => args.inputs,
}, "bench", "stack", false);
const { FlowSubmission } = require("pulumi-emr-flow");
new FlowSubmission("capture", { projectId: "FP-D3M0000000000001", flowId: "F-D3M0000000000001", regionId: "cn-hangzhou" });
const wait = () => (text === undefined ? setTimeout(wait, 20) : process.stdout.write(JSON.stringify(text)));
wait();
`;

/** Our `__provider`, as a program in `cwd` serializes it. */
export function captureOurProvider(cwd: string): string {
    const out = execFileSync(process.execPath, ["-e", CAPTURE], { cwd, encoding: "utf8", timeout: 60_000 });
    return JSON.parse(out) as string;
}

export interface ProviderTexts {
    ours: string;
    minimal: string;
    bare: string;
}

export async function providerTexts(): Promise<ProviderTexts> {
    return {
        ours: captureOurProvider(ROOT),
        minimal: (await serializeProvider(minimalProvider)).text,
        bare: (await serializeProvider(bareProvider)).text,
    };
}

/** Peak resident set of a process, in KiB (`VmHWM`); Linux only. */
export function peakRssKiB(pid: number): number {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
    if (!m) throw new Error(`no VmHWM for process ${pid}`);
    return Number(m[1]);
}

/**
 * What one write of the provider's submission journal (a small file written, then renamed into
 * place) costs on the disk the hosts' homes are on, in µs: the journal writes twice per create,
 * so this shows how much of the create overhead is this machine's disk.
 */
export function fileWriteRenameUs(samples = 200): number {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "emr-flow-bench-disk-"));
    try {
        const times: number[] = [];
        for (let i = 0; i < samples; i++) {
            const file = path.join(dir, `${i}.json`);
            const t0 = performance.now();
            fs.writeFileSync(`${file}.tmp`, JSON.stringify({ i, pad: "x".repeat(300) }), { mode: 0o600 });
            fs.renameSync(`${file}.tmp`, file);
            times.push(performance.now() - t0);
        }
        return round(median(times) * 1000, 0);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}
