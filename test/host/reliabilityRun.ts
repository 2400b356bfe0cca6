/**
 * What the fault matrix, the secrets scan and the soak share: stacks of FlowSubmissions deployed
 * through the real provider host against the emulator, and the count of what came out.
 *
 * The counts follow the reliability issue's definitions. A run is *created* when the emulator
 * has it; it is *recorded* when its ID is in the stack's state, in an error the deployment
 * reported, or in a line the provider printed (a run named nowhere is *lost*); *duplicates* are
 * runs beyond one per resource. Each resource's `conf` carries its row and its own ID, so every
 * run the emulator holds can be traced back to the resource that asked for it.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DEMO_IDS, DEMO_SEED, type RunningEmulator, type Seed } from "../../emulator";
import { HostCallError, ProviderHost, Secret, annotateSecrets, isSecret, secret, type CapturedResource, type PropertyMap, type PropertyValue } from "../engine-imitation";
import { DeploymentError, MiniEngine } from "../engine-imitation/miniEngine";
import { hostEnv, TEST_KEY_ID, TEST_KEY_SECRET } from "../support/testEnv";
import type { FlowSubmissionArgs } from "../../sdk";

export const ROOT = path.resolve(__dirname, "..", "..");
export const PROJECT_ID = DEMO_IDS.projectId;
/** Flows of one short node: the matrix spreads its runs over them. */
export const QUICK_FLOWS = ["F-REL0000000000001", "F-REL0000000000002", "F-REL0000000000003", "F-REL0000000000004"];
/** Two long nodes: about four seconds at the time scale used here, long enough to crash a host mid-wait. */
export const SLOW_FLOW = "F-REL00000000000SL";
/** 1/100 of the seed's durations. */
export const TIME_SCALE = 0.01;

export const RELIABILITY_SEED: Seed = {
    ...DEMO_SEED,
    projects: DEMO_SEED.projects.map((p) =>
        p.id !== PROJECT_ID
            ? p
            : {
                  ...p,
                  flows: [
                      ...p.flows,
                      ...QUICK_FLOWS.map((id, i) => ({ id, name: `quick-${i + 1}`, nodes: [{ name: "work", jobType: "SHELL", durationMs: 20_000 }] })),
                      { id: SLOW_FLOW, name: "slow", nodes: [{ name: "first", jobType: "SPARK", durationMs: 200_000 }, { name: "second", jobType: "SPARK", durationMs: 200_000 }] },
                  ],
              },
    ),
};

/** One FlowSubmission of a stack. */
export interface RunSpec {
    name: string;
    flowId: string;
    conf: Record<string, string>;
    /** Conf keys whose values are wrapped in `pulumi.secret`. */
    secretConf?: string[];
    waitFor?: "submission" | "start" | "completion";
    timeoutSeconds?: number;
}

// Scheduled times are never reused within a process: a run of another row with the same flow and
// cyctime in the same seconds is exactly what adoption cannot tell apart (see provider/runs/adopt.ts).
let nextHour = 0;

/** `n` runs for a row, each with its own ID and scheduled time, spread over the quick flows. */
export function runsFor(row: string, n: number, extra: Partial<RunSpec> = {}): RunSpec[] {
    const base = Date.UTC(2026, 0, 1) + nextHour * 3_600_000;
    nextHour += n;
    return Array.from({ length: n }, (_, i) => ({
        name: `${row}-${i}`,
        flowId: QUICK_FLOWS[i % QUICK_FLOWS.length]!,
        conf: { row, rid: `${row}-${i}`, cyctime: String(base + i * 3_600_000) },
        ...extra,
    }));
}

/** A program that declares `runs`. */
export function programOf(runs: RunSpec[]) {
    return async () => {
        const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
        const { FlowSubmission } = require("pulumi-emr-flow") as typeof import("../../sdk");
        const out: Record<string, unknown> = {};
        for (const r of runs) {
            const conf: Record<string, unknown> = {};
            for (const [k, v] of Object.entries(r.conf)) conf[k] = r.secretConf?.includes(k) ? pulumi.secret(v) : v;
            const args: FlowSubmissionArgs = { projectId: PROJECT_ID, flowId: r.flowId, conf: conf as FlowSubmissionArgs["conf"] };
            if (r.waitFor) args.waitFor = r.waitFor;
            if (r.timeoutSeconds) args.timeoutSeconds = r.timeoutSeconds;
            out[r.name] = new FlowSubmission(r.name, args).instanceId;
        }
        return out;
    };
}

export interface StackOptions {
    project: string;
    /** Extra stack config (`emr-flow:readTimeoutMs`, ...). */
    config?: Record<string, string | Secret<string>>;
    /** Credentials other than the emulator's default test pair. */
    credentials?: Record<string, string | Secret<string>>;
}

/** A stack: a home (where the provider records its submissions), a host, an engine, and everything they said. */
export class Stack {
    /** Provider output (stdout and stderr) of every host this stack has had. */
    readonly printed: string[] = [];
    /** Messages of every failed deployment and failed step. */
    readonly errors: string[] = [];
    /** The `__provider` strings the programs shipped. */
    readonly providerStrings = new Set<string>();
    /**
     * Per resource, the input paths the program marked secret (`conf.token`). The engine keeps a
     * value secret in state where its input was; the mini engine's state loses that mark (the
     * mocks hand it plain inputs), so the scan applies it from here.
     */
    readonly secretPaths = new Map<string, string[]>();
    engine!: MiniEngine;
    readonly home = fs.mkdtempSync(path.join(os.tmpdir(), "emr-flow-rel-"));

    private constructor(
        private readonly emu: RunningEmulator,
        private readonly opts: StackOptions,
    ) {}

    static async start(emu: RunningEmulator, opts: StackOptions): Promise<Stack> {
        const stack = new Stack(emu, opts);
        stack.engine = new MiniEngine(await stack.newHost(), opts.project);
        return stack;
    }

    get host(): ProviderHost {
        return this.engine.host;
    }

    private async newHost(): Promise<ProviderHost> {
        const host = await ProviderHost.start({ cwd: ROOT, project: this.opts.project, stack: "dev", env: hostEnv(this.home) });
        const config: Record<string, string | Secret<string>> = {
            ...(this.opts.credentials ?? { "alicloud:accessKey": TEST_KEY_ID, "alicloud:secretKey": secret(TEST_KEY_SECRET) }),
            "alicloud:region": DEMO_IDS.regionId,
            "emr-flow:endpoint": this.emu.url,
            ...this.opts.config,
        };
        await host.configure(config);
        return host;
    }

    /** Kills the host as a crash would (SIGKILL), keeps what it printed, and starts a new one with the same home and state. */
    async crashAndRestart(): Promise<void> {
        const old = this.engine.host;
        old.kill("SIGKILL");
        // `exited` resolves once the host's output pipes have closed: every line it printed is in.
        await old.exited;
        this.collect(old);
        const fresh = new MiniEngine(await this.newHost(), this.opts.project);
        for (const [urn, entry] of this.engine.state) fresh.state.set(urn, entry);
        this.engine = fresh;
    }

    /** `pulumi up`, and again after a failure (as a user would), at most `maxUps` times. */
    async upUntilDone(program: () => unknown, maxUps = 4): Promise<{ ups: number; ok: boolean }> {
        for (let up = 1; up <= maxUps; up++) {
            try {
                const { result } = await this.engine.up(program);
                this.captured(result.resources);
                return { ups: up, ok: true };
            } catch (err) {
                if (err instanceof DeploymentError) this.captured(err.result?.resources ?? []);
                this.recordError(err);
            }
        }
        return { ups: maxUps, ok: false };
    }

    private captured(resources: CapturedResource[]): void {
        for (const r of resources) {
            if (r.providerString) this.providerStrings.add(r.providerString);
            this.secretPaths.set(r.urn, r.secretPaths);
        }
    }

    recordError(err: unknown): void {
        if (err instanceof DeploymentError) {
            this.errors.push(err.message);
            for (const e of err.errors) this.errors.push(e.error instanceof HostCallError ? e.error.details : e.error.message);
        } else {
            this.errors.push(err instanceof Error ? err.message : String(err));
        }
    }

    private collect(host: ProviderHost): void {
        this.printed.push(...host.output(), ...host.errors());
    }

    /**
     * What the engine keeps as a resource's outputs: what the host returned, with every output
     * whose input of the same path was secret marked secret again (the engine's rule for a
     * provider that does not take secrets). A secret the provider returned anywhere else stays
     * plain here, and the scan finds it.
     */
    engineOutputs(urn: string): PropertyMap {
        const entry = this.engine.state.get(urn);
        if (!entry) throw new Error(`no resource ${urn} in state`);
        return annotateSecrets(entry.outputs, markSecrets(entry.inputs, this.secretPaths.get(urn) ?? []));
    }

    /** Everything this stack produced, for the secrets scan: output, errors, state, recorded submissions. Call after {@link stop}. */
    produced(): { where: string; text: string }[] {
        // Lines printed just before the host exits are only all in once it has exited.
        if (this.host.running) throw new Error("scan a stack's output after stop(): the host is still running");
        const out: { where: string; text: string }[] = [];
        for (const p of this.providerStrings) out.push({ where: "__provider", text: p });
        for (const line of [...this.printed, ...this.host.output(), ...this.host.errors()]) out.push({ where: "provider output", text: line });
        for (const e of this.errors) out.push({ where: "error message", text: e });
        for (const [urn, entry] of this.engine.state) {
            const paths = this.secretPaths.get(urn) ?? [];
            out.push({ where: `state outputs of ${urn}`, text: JSON.stringify(withoutSecrets(this.engineOutputs(urn))) });
            out.push({ where: `state inputs of ${urn}`, text: JSON.stringify(withoutSecrets(entry.inputs, paths)) });
        }
        const journal = path.join(this.home, ".pulumi-emr-flow", "submissions");
        if (fs.existsSync(journal)) {
            for (const name of fs.readdirSync(journal)) out.push({ where: `recorded submission ${name}`, text: fs.readFileSync(path.join(journal, name), "utf8") });
        }
        return out;
    }

    async stop(): Promise<void> {
        await this.host.stop();
        this.collect(this.host);
    }

    dispose(): void {
        fs.rmSync(this.home, { recursive: true, force: true });
    }
}

/** A value with every secret (marked, or at one of `paths`) replaced: what may be shown is what is left. */
export function withoutSecrets(value: PropertyValue | PropertyMap, paths: string[] = [], at = ""): unknown {
    if (isSecret(value) || (at !== "" && paths.includes(at))) return "<secret>";
    if (Array.isArray(value)) return value.map((v, i) => withoutSecrets(v, paths, `${at}[${i}]`));
    if (value && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutSecrets(v as PropertyValue, paths, at ? `${at}.${k}` : k)]));
    }
    return value;
}

/** `map` with the values at `paths` (`conf.token`) wrapped as secrets, as the program marked them. */
export function markSecrets(map: PropertyMap, paths: string[]): PropertyMap {
    const mark = (value: PropertyValue, at: string): PropertyValue => {
        if (paths.includes(at) && !isSecret(value)) return new Secret(value);
        if (value && typeof value === "object" && !Array.isArray(value) && !isSecret(value)) {
            return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mark(v as PropertyValue, `${at}.${k}`)])) as PropertyValue;
        }
        return value;
    };
    return Object.fromEntries(Object.entries(map).map(([k, v]) => [k, mark(v as PropertyValue, k)])) as PropertyMap;
}

/** One row of the matrix. */
export interface RowResult {
    row: string;
    resources: number;
    ups: number;
    /** Instances the emulator created for this row. */
    created: number;
    /** Of those, in the stack's state. */
    inState: number;
    /** Of those, not in state but named in an error or the provider's output. */
    namedElsewhere: number;
    duplicates: number;
    lost: number;
}

const INSTANCE_ID = /FI-[0-9A-Z]{16}/g;

/** Counts a row: created, recorded where, duplicates, lost. */
export function tally(row: string, emu: RunningEmulator, stack: Stack, runs: RunSpec[], ups: number): RowResult {
    const instances = emu.instances().filter((i) => i.conf?.row === row);
    const inState = new Set([...stack.engine.state.values()].map((e) => e.id));
    const named = new Set<string>();
    for (const text of [...stack.printed, ...stack.host.output(), ...stack.host.errors(), ...stack.errors]) {
        for (const id of text.match(INSTANCE_ID) ?? []) named.add(id);
    }
    // Runs with identical conf are interchangeable: a duplicate is a run beyond the number of
    // resources that asked for that conf.
    const wanted = new Map<string, number>();
    for (const r of runs) wanted.set(confKey(r.conf), (wanted.get(confKey(r.conf)) ?? 0) + 1);
    const got = new Map<string, number>();
    for (const i of instances) got.set(confKey(i.conf ?? {}), (got.get(confKey(i.conf ?? {})) ?? 0) + 1);
    let duplicates = 0;
    for (const [key, n] of got) duplicates += Math.max(0, n - (wanted.get(key) ?? 0));
    const stateCount = instances.filter((i) => inState.has(i.id)).length;
    const elsewhere = instances.filter((i) => !inState.has(i.id) && named.has(i.id)).length;
    return { row, resources: runs.length, ups, created: instances.length, inState: stateCount, namedElsewhere: elsewhere, duplicates, lost: instances.length - stateCount - elsewhere };
}

function confKey(conf: Record<string, string>): string {
    return JSON.stringify(Object.entries(conf).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** The matrix as a plain-text table. */
export function formatTable(rows: RowResult[]): string {
    const head = ["fault", "resources", "ups", "created", "in state", "named elsewhere", "duplicates", "lost"];
    const body = rows.map((r) => [r.row, r.resources, r.ups, r.created, r.inState, r.namedElsewhere, r.duplicates, r.lost].map(String));
    const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
    const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")} |`;
    return [line(head), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...body.map(line)].join("\n");
}

/** Where any of `secrets` occurs in `texts`. */
export function findSecrets(texts: { where: string; text: string }[], secrets: string[]): { where: string; secret: string }[] {
    const hits: { where: string; secret: string }[] = [];
    for (const { where, text } of texts) {
        for (const s of secrets) if (text.includes(s)) hits.push({ where, secret: `${s.slice(0, 4)}…` });
    }
    return hits;
}

/** Random faults on every action: `rate` of all calls get one, spread evenly over the kinds. */
export function randomFaultRules(rate: number, seed: number, delayMs: number) {
    const kinds = ["throttle", "http500", "http503", "delay", "drop-before", "drop-after"] as const;
    // Rules are checked in order and each draws on its own: with k rules of probability p, a call
    // is hit with probability 1 - (1 - p)^k, which is `rate` for this p.
    const p = 1 - Math.pow(1 - rate, 1 / kinds.length);
    return kinds.map((kind, i) => ({ action: "*", kind, probability: p, seed: seed * 31 + i, ...(kind === "delay" ? { delayMs } : {}) }));
}
