/**
 * The real dynamic provider host, driven the way the Pulumi engine drives it.
 *
 * `pulumi up` starts `node node_modules/@pulumi/pulumi/cmd/dynamic-provider <engine-address>` in
 * the project's directory (through the `pulumi-resource-pulumi-nodejs` shim, which resolves that
 * script from the working directory), reads the gRPC port it prints, and calls
 * `pulumirpc.ResourceProvider`. {@link ProviderHost} does exactly that, so every request below runs
 * the same host code, the same `__provider` deserialization (`require-from-string` in the host's
 * working directory) and the same Struct conversions as a real deployment.
 *
 * What is mirrored from the engine (Go `plugin/provider_plugin.go`):
 * - environment (`NewProvider` and the host's `Provider`): the caller's environment plus
 *   `PULUMI_NODEJS_PROJECT` / `PULUMI_PROJECT` (so `req.config.get("x")` reads `<project>:x`),
 *   `PULUMI_RUNTIME_<OPTION>` for each `runtime.options` entry of `Pulumi.yaml`, and
 *   `PULUMI_CONFIG`: only the `pulumi-nodejs:` keys of the stack config, without the namespace
 *   (`{}` when there are none). No stack name and no organization: the engine sets no
 *   `PULUMI_NODEJS_STACK`, so `pulumi.getStack()` in the provider process says "stack" (the
 *   provider learns its stack from the SDK's hidden `__stack` input instead; a variable the
 *   caller's own environment holds passes through, as it does under the engine);
 * - `Configure` sends the whole stack config as `args` (fully qualified keys, secret values
 *   wrapped) and `variables` (keys `pulumi-nodejs:config:<key>`), with `acceptSecrets: true`,
 *   `acceptResources: true`; for refresh and destroy the engine sends the config saved in the
 *   state by the last `up`, not the current stack file (the caller passes that); the host answers
 *   `acceptSecrets: false`, so later requests carry secrets as bare values and
 *   {@link annotateSecrets} re-marks outputs whose input of the same name was secret;
 * - unknowns are sent to `Check`/`Diff` only, and to `Create`/`Update` only in a preview; a preview
 *   `Create`/`Update` does not reach a host that did not answer `supportsPreview` (the dynamic host
 *   never does): the engine hands back the inputs as the state, and so does this class;
 * - an empty id from a non-preview `Create` is an error, as in the engine.
 * Not mirrored: the engine's own planning (which method to call when), its state file, the
 * calls the dynamic host answers UNIMPLEMENTED or with constants (`Handshake`, `CheckConfig`,
 * `DiffConfig`, `GetPluginInfo`: the engine falls back to `Configure` and the config as given),
 * and `PULUMI_LOG_OTLP_ENDPOINT` (the engine's log sink; the Node.js host does not read it).
 * The engine starts a fresh provider process for every command (`up`, `refresh`, `destroy`): a
 * test that imitates several commands starts one host per command.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as readline from "readline";

import * as grpc from "@grpc/grpc-js";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import * as statusproto from "@pulumi/pulumi/proto/status_pb";

import { DEFAULT_PROJECT, DEFAULT_STACK, parseUrn } from "./urn";
import {
    MarshalOptions,
    PropertyMap,
    Secret,
    annotateSecrets,
    decodeProperties,
    encodeProperties,
    toWire,
} from "./values";

/** The repository root: the default working directory (its `Pulumi.yaml` project). */
const REPO_ROOT = path.resolve(__dirname, "..", "..");

/** Type name of the partial-failure detail the host packs into `grpc-status-details-bin`. */
const INIT_FAILED_TYPE = "pulumirpc.ErrorResourceInitFailed";

export interface HostStartOptions {
    /** The Pulumi project directory; the host resolves `require(...)` in `__provider` from here. Default: the repo root. */
    cwd?: string;
    /** The environment the host inherits beyond this process's (as the provider inherits the CLI's); what the engine itself sets (see {@link engineEnvironment}) wins, as in the engine. */
    env?: NodeJS.ProcessEnv;
    /** The host script; default: `@pulumi/pulumi/cmd/dynamic-provider` resolved from `cwd`, like the CLI's shim. */
    hostScript?: string;
    /** Project name; default: `name:` in `<cwd>/Pulumi.yaml`, else "project". */
    project?: string;
    /** Stack name, used only in the URN `Configure` is sent with: the engine gives the process no stack name. Default "stack". */
    stack?: string;
    /** The stack config, fully qualified keys (`alicloud:region`); only its `pulumi-nodejs:` keys reach `PULUMI_CONFIG`, as in the engine. */
    config?: Record<string, string>;
    /** The engine address argument; the host only checks that one is given. */
    engineAddress?: string;
    /** How long to wait for the port line. Default 20 s. */
    startTimeoutMs?: number;
    /** Default per-call gRPC deadline. Default 60 s. */
    callTimeoutMs?: number;
}

export interface CallOptions {
    /** gRPC deadline for this call, in ms. */
    deadlineMs?: number;
}

export interface ConfigureOptions extends CallOptions {
    /** Keys whose values are secret (sent wrapped, as the engine does for secret config). */
    secretKeys?: string[];
    /** What the engine says it accepts. Default true/true, as the engine sends. */
    acceptSecrets?: boolean;
    acceptResources?: boolean;
}

export interface ConfigureResult {
    acceptSecrets: boolean;
    acceptResources: boolean;
    acceptOutputs: boolean;
    supportsPreview: boolean;
}

export interface CheckFailure {
    property: string;
    reason: string;
}

export interface CheckResult {
    inputs: PropertyMap;
    failures: CheckFailure[];
}

export type DiffChanges = "unknown" | "none" | "some";

export type PropertyDiffKind = "add" | "addReplace" | "delete" | "deleteReplace" | "update" | "updateReplace";

export interface DiffResult {
    /** DIFF_UNKNOWN when the provider has no `diff` (the engine then compares inputs itself). */
    changes: DiffChanges;
    replaces: string[];
    stables: string[];
    /** DiffResponse.diffs: the changed top-level keys, when the provider reports them. */
    diffs: string[];
    deleteBeforeReplace: boolean;
    detailedDiff?: Record<string, { kind: PropertyDiffKind; inputDiff: boolean }>;
}

export interface DiffOptions extends CallOptions {
    /** The old inputs (`DiffRequest.oldInputs`); `olds` are the old outputs (state). */
    oldInputs?: PropertyMap;
    ignoreChanges?: string[];
    /** Preview: unknowns in the news are sent. Default true (the engine diffs during preview and up alike, allowUnknowns in preview). */
    allowUnknowns?: boolean;
}

export interface CheckOptions extends CallOptions {
    randomSeed?: Uint8Array;
    /** Send unknowns (the engine does during preview). Default true. */
    allowUnknowns?: boolean;
}

export interface CreateOptions extends CallOptions {
    /** A preview: the engine does not call a host without `supportsPreview`; the inputs come back as state. */
    preview?: boolean;
    /** `CreateRequest.timeout` in seconds (`customTimeouts.create`); the dynamic host ignores it. */
    timeout?: number;
}

export interface CreateResult {
    id: string;
    properties: PropertyMap;
    /** False when the engine would not have called the host (a preview). */
    called: boolean;
}

export interface ReadOptions extends CallOptions {
    /** The resource's inputs (`ReadRequest.inputs`). */
    inputs?: PropertyMap;
}

export interface ReadResult {
    /** Empty when the resource is gone. */
    id: string;
    properties: PropertyMap;
    /** Only when the provider's `read` returned `inputs`. */
    inputs?: PropertyMap;
}

export interface UpdateOptions extends CallOptions {
    oldInputs?: PropertyMap;
    preview?: boolean;
    timeout?: number;
    ignoreChanges?: string[];
}

export interface UpdateResult {
    properties: PropertyMap;
    called: boolean;
}

export interface DeleteOptions extends CallOptions {
    oldInputs?: PropertyMap;
    timeout?: number;
}

/** The partial failure a provider reports by throwing an Error with `id` (and `properties`, `reasons`). */
export interface InitFailure {
    id: string;
    properties: PropertyMap;
    reasons: string[];
}

/** The host answered a request with a gRPC error. */
export class HostCallError extends Error {
    constructor(
        /** The RPC, e.g. "create". */
        public readonly method: string,
        /** gRPC status code (`grpc.status`). */
        public readonly code: number,
        /** The status message: the provider's error message, or the host's. */
        public readonly details: string,
        /** Decoded `pulumirpc.ErrorResourceInitFailed`, when the provider threw an error with an `id`. */
        public readonly initFailed?: InitFailure,
    ) {
        super(`${method}: ${grpc.status[code] ?? code}: ${details}`);
        this.name = "HostCallError";
    }

    /** The status code's name, e.g. "UNKNOWN", "UNAVAILABLE". */
    get codeName(): string {
        return grpc.status[this.code] ?? String(this.code);
    }
}

/** One line the host wrote. */
export interface OutputLine {
    stream: "stdout" | "stderr";
    text: string;
}

type LineMatcher = string | RegExp | ((line: string) => boolean);

function matches(m: LineMatcher, line: string): boolean {
    if (typeof m === "string") {
        return line.includes(m);
    }
    if (m instanceof RegExp) {
        return m.test(line);
    }
    return m(line);
}

/** `name:` from `<dir>/Pulumi.yaml`, if there is one. */
export function projectNameFrom(dir: string): string | undefined {
    for (const file of ["Pulumi.yaml", "Pulumi.yml"]) {
        const p = path.join(dir, file);
        if (fs.existsSync(p)) {
            const m = /^name:\s*["']?([^"'\s#]+)/m.exec(fs.readFileSync(p, "utf8"));
            if (m) {
                return m[1];
            }
        }
    }
    return undefined;
}

/** `runtime.options` of `<dir>/Pulumi.yaml` (`runtime: {name: nodejs, options: {typescript: true}}`), as strings. */
export function runtimeOptionsFrom(dir: string): Record<string, string> {
    for (const file of ["Pulumi.yaml", "Pulumi.yml"]) {
        const p = path.join(dir, file);
        if (!fs.existsSync(p)) continue;
        const lines = fs.readFileSync(p, "utf8").split(/\r?\n/);
        const out: Record<string, string> = {};
        let inRuntime = false;
        let optionsIndent = -1;
        for (const line of lines) {
            if (/^\S/.test(line)) {
                inRuntime = /^runtime:\s*$/.test(line);
                optionsIndent = -1;
                continue;
            }
            if (!inRuntime || line.trim() === "" || line.trim().startsWith("#")) continue;
            const indent = line.length - line.trimStart().length;
            const m = /^(\s*)([A-Za-z0-9_-]+):\s*(.*?)\s*$/.exec(line);
            if (!m) continue;
            if (m[2] === "options" && m[3] === "") {
                optionsIndent = indent;
            } else if (optionsIndent >= 0 && indent > optionsIndent) {
                out[m[2]] = m[3].replace(/^["']|["']$/g, "");
            } else if (indent <= optionsIndent) {
                optionsIndent = -1;
            }
        }
        return out;
    }
    return {};
}

/**
 * What the engine adds to its own environment for the `pulumi-nodejs` provider process
 * (`NewProvider` in the engine's provider plugin code; the config filter is the host's
 * `Provider`): these win over the inherited environment.
 */
export function engineEnvironment(cwd: string, project: string, config: Record<string, string>): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(runtimeOptionsFrom(cwd))) env[`PULUMI_RUNTIME_${k.toUpperCase()}`] = v;
    env.PULUMI_NODEJS_PROJECT = project;
    env.PULUMI_PROJECT = project;
    const own: Record<string, string> = {};
    for (const [k, v] of Object.entries(config)) {
        if (k.startsWith("pulumi-nodejs:")) own[k.slice("pulumi-nodejs:".length)] = v;
    }
    env.PULUMI_CONFIG = JSON.stringify(own);
    return env;
}

export class ProviderHost {
    private readonly lines: OutputLine[] = [];
    private readonly waiters = new Set<() => void>();
    private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    private negotiated: ConfigureResult | undefined;
    private readonly callTimeoutMs: number;

    /** Resolves when the process has exited. */
    readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

    private constructor(
        private readonly child: ChildProcess,
        private readonly client: provrpc.ResourceProviderClient,
        /** The port the host printed. */
        readonly port: number,
        readonly cwd: string,
        readonly project: string,
        readonly stack: string,
        /** Milliseconds from spawn to the port line. */
        readonly startMs: number,
        exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>,
        callTimeoutMs: number,
    ) {
        this.exited = exited.then((info) => {
            this.exitInfo = info;
            return info;
        });
        this.callTimeoutMs = callTimeoutMs;
    }

    /** Spawns the host, waits for its port, and connects. */
    static async start(opts: HostStartOptions = {}): Promise<ProviderHost> {
        const cwd = path.resolve(opts.cwd ?? REPO_ROOT);
        const hostScript = opts.hostScript ?? require.resolve("@pulumi/pulumi/cmd/dynamic-provider", { paths: [cwd] });
        const project = opts.project ?? projectNameFrom(cwd) ?? DEFAULT_PROJECT;
        const stack = opts.stack ?? DEFAULT_STACK;
        const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env, ...engineEnvironment(cwd, project, opts.config ?? {}) };
        const started = Date.now();
        const child = spawn(process.execPath, [hostScript, opts.engineAddress ?? "127.0.0.1:0"], {
            cwd,
            env,
            stdio: ["ignore", "pipe", "pipe"],
        });
        // A test run that ends (mocha --exit) without stop() must not leave hosts behind.
        const reap = (): void => {
            child.kill("SIGKILL");
        };
        process.once("exit", reap);
        // "close", not "exit": it comes once stdout and stderr have ended too, so every line the
        // host printed has been read when `exited` resolves.
        const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
            child.once("close", (code, signal) => {
                process.off("exit", reap);
                resolve({ code, signal });
            });
        });

        const early: OutputLine[] = [];
        let onLine: (l: OutputLine) => void = (l) => early.push(l);
        readline.createInterface({ input: child.stdout! }).on("line", (text) => onLine({ stream: "stdout", text }));
        readline.createInterface({ input: child.stderr! }).on("line", (text) => onLine({ stream: "stderr", text }));

        const port = await new Promise<number>((resolve, reject) => {
            const timer = setTimeout(() => {
                child.kill("SIGKILL");
                reject(new Error(`dynamic provider host printed no port within ${opts.startTimeoutMs ?? 20000} ms: ${early.map((l) => l.text).join("\n")}`));
            }, opts.startTimeoutMs ?? 20000);
            child.once("error", (err) => {
                clearTimeout(timer);
                reject(err);
            });
            void exited.then(({ code, signal }) => {
                clearTimeout(timer);
                reject(new Error(`dynamic provider host exited (code ${code}, signal ${signal}) before printing a port: ${early.map((l) => l.text).join("\n")}`));
            });
            onLine = (l) => {
                early.push(l);
                if (l.stream === "stdout" && /^\d+$/.test(l.text.trim())) {
                    clearTimeout(timer);
                    early.pop();
                    resolve(Number(l.text.trim()));
                }
            };
        });

        const client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
        const host = new ProviderHost(child, client, port, cwd, project, stack, Date.now() - started, exited, opts.callTimeoutMs ?? 60000);
        host.lines.push(...early);
        onLine = (l) => host.pushLine(l);
        return host;
    }

    /** The host's process id. */
    get pid(): number | undefined {
        return this.child.pid;
    }

    /** True until the process has exited. */
    get running(): boolean {
        return this.exitInfo === undefined && this.child.exitCode === null && this.child.signalCode === null;
    }

    /** What the host answered to `Configure`, once called. */
    get protocol(): ConfigureResult | undefined {
        return this.negotiated;
    }

    private pushLine(l: OutputLine): void {
        this.lines.push(l);
        for (const w of [...this.waiters]) {
            w();
        }
    }

    /** stdout lines after the port line: what the provider printed with `console.log`. */
    output(): string[] {
        return this.lines.filter((l) => l.stream === "stdout").map((l) => l.text);
    }

    /** stderr lines: `console.error`, and the host's own error reports (it prints a stack for failed calls). */
    errors(): string[] {
        return this.lines.filter((l) => l.stream === "stderr").map((l) => l.text);
    }

    /** Every line in arrival order, tagged with its stream. */
    allOutput(): OutputLine[] {
        return [...this.lines];
    }

    /** Forgets the lines collected so far. */
    clearOutput(): void {
        this.lines.length = 0;
    }

    /**
     * Waits for a line (stdout or stderr) to match. Output travels through a pipe, separately from
     * the gRPC answer, so a line printed during a call may arrive just after the call returns.
     */
    waitForOutput(match: LineMatcher, timeoutMs = 5000): Promise<string> {
        return new Promise((resolve, reject) => {
            const check = (): boolean => {
                const hit = this.lines.find((l) => matches(match, l.text));
                if (hit) {
                    cleanup();
                    resolve(hit.text);
                    return true;
                }
                return false;
            };
            const timer = setTimeout(() => {
                cleanup();
                reject(new Error(`no host output matched ${String(match)} within ${timeoutMs} ms; got:\n${this.lines.map((l) => l.text).join("\n")}`));
            }, timeoutMs);
            const cleanup = (): void => {
                clearTimeout(timer);
                this.waiters.delete(waiter);
            };
            const waiter = (): void => {
                check();
            };
            if (!check()) {
                this.waiters.add(waiter);
            }
        });
    }

    private marshal(keepUnknowns: boolean): MarshalOptions {
        return { keepSecrets: this.negotiated?.acceptSecrets ?? false, keepUnknowns };
    }

    /** Re-marks secrets the way the engine does when the provider could not take them. */
    private annotate(outs: PropertyMap, ins: PropertyMap): PropertyMap {
        return this.negotiated?.acceptSecrets ? outs : annotateSecrets(outs, ins);
    }

    private deadline(opts?: CallOptions): grpc.CallOptions {
        return { deadline: Date.now() + (opts?.deadlineMs ?? this.callTimeoutMs) };
    }

    private unary<Res>(
        method: string,
        invoke: (cb: (err: grpc.ServiceError | null, res: Res) => void) => unknown,
    ): Promise<Res> {
        return new Promise<Res>((resolve, reject) => {
            invoke((err, res) => {
                if (err) {
                    reject(toHostCallError(method, err));
                } else {
                    resolve(res);
                }
            });
        });
    }

    /**
     * `Configure`, as the engine sends it for the default `pulumi-nodejs` provider: the stack
     * config with fully qualified keys (`alicloud:region`); a {@link Secret} value or a key in
     * `secretKeys` is sent wrapped as a secret (the host unwraps it before the provider sees it).
     */
    async configure(config: Record<string, string | Secret<string>>, opts: ConfigureOptions = {}): Promise<ConfigureResult> {
        const req = new provproto.ConfigureRequest();
        const args: PropertyMap = {};
        const vars = req.getVariablesMap();
        for (const [k, v] of Object.entries(config)) {
            const plain = v instanceof Secret ? v.value : v;
            args[k] = v instanceof Secret || opts.secretKeys?.includes(k) ? new Secret(plain) : plain;
            vars.set(`pulumi-nodejs:config:${k}`, plain);
        }
        req.setArgs(encodeProperties(args, { keepSecrets: true, keepUnknowns: true }));
        req.setAcceptsecrets(opts.acceptSecrets ?? true);
        req.setAcceptresources(opts.acceptResources ?? true);
        req.setSendsOldInputs(true);
        req.setSendsOldInputsToDelete(true);
        req.setType("pulumi:providers:pulumi-nodejs");
        req.setName("default");
        req.setUrn(`urn:pulumi:${this.stack}::${this.project}::pulumi:providers:pulumi-nodejs::default`);
        const res = await this.unary<provproto.ConfigureResponse>("configure", (cb) => this.client.configure(req, new grpc.Metadata(), this.deadline(opts), cb));
        this.negotiated = {
            acceptSecrets: res.getAcceptsecrets(),
            acceptResources: res.getAcceptresources(),
            acceptOutputs: res.getAcceptoutputs(),
            supportsPreview: res.getSupportspreview(),
        };
        return this.negotiated;
    }

    /** `Check(olds, news)`: `olds` are the previous inputs (`{}` on create). */
    async check(urn: string, olds: PropertyMap, news: PropertyMap, opts: CheckOptions = {}): Promise<CheckResult> {
        const keep = this.marshal(opts.allowUnknowns ?? true);
        const req = new provproto.CheckRequest();
        setNameAndType(req, urn);
        req.setUrn(urn);
        req.setOlds(encodeProperties(olds, keep));
        req.setNews(encodeProperties(news, keep));
        if (opts.randomSeed) {
            req.setRandomseed(opts.randomSeed);
        }
        const res = await this.unary<provproto.CheckResponse>("check", (cb) => this.client.check(req, new grpc.Metadata(), this.deadline(opts), cb));
        return {
            inputs: this.annotate(decodeProperties(res.getInputs()), news),
            failures: res.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
        };
    }

    /** `Diff(id, olds, news)`: `olds` are the old outputs (state), `news` the checked new inputs. */
    async diff(id: string, urn: string, olds: PropertyMap, news: PropertyMap, opts: DiffOptions = {}): Promise<DiffResult> {
        const keep = this.marshal(opts.allowUnknowns ?? true);
        const req = new provproto.DiffRequest();
        setNameAndType(req, urn);
        req.setId(id);
        req.setUrn(urn);
        req.setOlds(encodeProperties(olds, keep));
        req.setNews(encodeProperties(news, keep));
        if (opts.oldInputs) {
            req.setOldInputs(encodeProperties(opts.oldInputs, keep));
        }
        if (opts.ignoreChanges) {
            req.setIgnorechangesList(opts.ignoreChanges);
        }
        const res = await this.unary<provproto.DiffResponse>("diff", (cb) => this.client.diff(req, new grpc.Metadata(), this.deadline(opts), cb));
        const C = provproto.DiffResponse.DiffChanges;
        const changes: DiffChanges = res.getChanges() === C.DIFF_SOME ? "some" : res.getChanges() === C.DIFF_NONE ? "none" : "unknown";
        const result: DiffResult = {
            changes,
            replaces: res.getReplacesList(),
            stables: res.getStablesList(),
            diffs: res.getDiffsList(),
            deleteBeforeReplace: res.getDeletebeforereplace(),
        };
        if (res.getHasdetaileddiff()) {
            const K = provproto.PropertyDiff.Kind;
            const names: Record<number, PropertyDiffKind> = {
                [K.ADD]: "add",
                [K.ADD_REPLACE]: "addReplace",
                [K.DELETE]: "delete",
                [K.DELETE_REPLACE]: "deleteReplace",
                [K.UPDATE]: "update",
                [K.UPDATE_REPLACE]: "updateReplace",
            };
            const detailed: Record<string, { kind: PropertyDiffKind; inputDiff: boolean }> = {};
            res.getDetaileddiffMap().forEach((v, k) => {
                detailed[k] = { kind: names[v.getKind()] ?? "update", inputDiff: v.getInputdiff() };
            });
            result.detailedDiff = detailed;
        }
        return result;
    }

    /** `Create(props)`; throws {@link HostCallError} (with `initFailed` for a partial failure). */
    async create(urn: string, props: PropertyMap, opts: CreateOptions = {}): Promise<CreateResult> {
        if (opts.preview && !this.negotiated?.supportsPreview) {
            return { id: "", properties: { ...props }, called: false };
        }
        const req = new provproto.CreateRequest();
        setNameAndType(req, urn);
        req.setUrn(urn);
        req.setProperties(encodeProperties(props, this.marshal(opts.preview ?? false)));
        req.setPreview(opts.preview ?? false);
        if (opts.timeout !== undefined) {
            req.setTimeout(opts.timeout);
        }
        try {
            const res = await this.unary<provproto.CreateResponse>("create", (cb) => this.client.create(req, new grpc.Metadata(), this.deadline(opts), cb));
            if (res.getId() === "" && !opts.preview) {
                throw new Error(`plugin for package 'pulumi-nodejs' returned empty resource.ID from create '${urn}'`);
            }
            return { id: res.getId(), properties: this.annotate(decodeProperties(res.getProperties()), props), called: true };
        } catch (e) {
            throw this.annotateFailure(e, props);
        }
    }

    /** `Read(id, state)` as `pulumi refresh` sends it. An empty `id` in the answer means the resource is gone. */
    async read(id: string, urn: string, props: PropertyMap, opts: ReadOptions = {}): Promise<ReadResult> {
        const keep = this.marshal(false);
        const req = new provproto.ReadRequest();
        setNameAndType(req, urn);
        req.setId(id);
        req.setUrn(urn);
        req.setProperties(encodeProperties(props, keep));
        if (opts.inputs) {
            req.setInputs(encodeProperties(opts.inputs, keep));
        }
        const res = await this.unary<provproto.ReadResponse>("read", (cb) => this.client.read(req, new grpc.Metadata(), this.deadline(opts), cb));
        const result: ReadResult = { id: res.getId(), properties: this.annotate(decodeProperties(res.getProperties()), props) };
        if (res.hasInputs()) {
            result.inputs = this.annotate(decodeProperties(res.getInputs()), opts.inputs ?? {});
        }
        return result;
    }

    /** `Update(id, olds, news)`: `olds` are the old outputs (state), `news` the new inputs. */
    async update(id: string, urn: string, olds: PropertyMap, news: PropertyMap, opts: UpdateOptions = {}): Promise<UpdateResult> {
        if (opts.preview && !this.negotiated?.supportsPreview) {
            return { properties: { ...news }, called: false };
        }
        const req = new provproto.UpdateRequest();
        setNameAndType(req, urn);
        req.setId(id);
        req.setUrn(urn);
        req.setOlds(encodeProperties(olds, this.marshal(false)));
        req.setNews(encodeProperties(news, this.marshal(opts.preview ?? false)));
        if (opts.oldInputs) {
            req.setOldInputs(encodeProperties(opts.oldInputs, this.marshal(false)));
        }
        if (opts.ignoreChanges) {
            req.setIgnorechangesList(opts.ignoreChanges);
        }
        req.setPreview(opts.preview ?? false);
        if (opts.timeout !== undefined) {
            req.setTimeout(opts.timeout);
        }
        try {
            const res = await this.unary<provproto.UpdateResponse>("update", (cb) => this.client.update(req, new grpc.Metadata(), this.deadline(opts), cb));
            return { properties: this.annotate(decodeProperties(res.getProperties()), news), called: true };
        } catch (e) {
            throw this.annotateFailure(e, news);
        }
    }

    /** `Delete(id, state)`: `props` are the outputs in state. */
    async delete(id: string, urn: string, props: PropertyMap, opts: DeleteOptions = {}): Promise<void> {
        const req = new provproto.DeleteRequest();
        setNameAndType(req, urn);
        req.setId(id);
        req.setUrn(urn);
        req.setProperties(encodeProperties(props, this.marshal(false)));
        if (opts.oldInputs) {
            req.setOldInputs(encodeProperties(opts.oldInputs, this.marshal(false)));
        }
        if (opts.timeout !== undefined) {
            req.setTimeout(opts.timeout);
        }
        await this.unary<unknown>("delete", (cb) => this.client.delete(req, new grpc.Metadata(), this.deadline(opts), cb));
    }

    /** The struct this host would be sent for a property map (for asserting on the wire form). */
    wireFor(props: PropertyMap, keepUnknowns = false): Record<string, unknown> {
        return toWire(props, this.marshal(keepUnknowns));
    }

    private annotateFailure(e: unknown, ins: PropertyMap): unknown {
        if (e instanceof HostCallError && e.initFailed) {
            return new HostCallError(e.method, e.code, e.details, {
                ...e.initFailed,
                properties: this.annotate(e.initFailed.properties, ins),
            });
        }
        return e;
    }

    /** Sends a signal to the host (e.g. "SIGKILL" to simulate a crash) without waiting. */
    kill(signal: NodeJS.Signals = "SIGTERM"): boolean {
        return this.child.kill(signal);
    }

    /** Closes the connection and ends the process (SIGTERM, then SIGKILL after `graceMs`). */
    async stop(graceMs = 2000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
        this.client.close();
        if (this.running) {
            this.child.kill("SIGTERM");
            const timer = setTimeout(() => {
                if (this.running) {
                    this.child.kill("SIGKILL");
                }
            }, graceMs);
            try {
                return await this.exited;
            } finally {
                clearTimeout(timer);
            }
        }
        return this.exited;
    }
}

interface NamedRequest {
    setName(value: string): unknown;
    setType(value: string): unknown;
}

function setNameAndType(req: NamedRequest, urn: string): void {
    const { name, type } = parseUrn(urn);
    req.setName(name);
    req.setType(type);
}

/** Turns a gRPC error into a HostCallError, decoding a partial-failure detail if present. */
function toHostCallError(method: string, err: grpc.ServiceError): HostCallError {
    let initFailed: InitFailure | undefined;
    for (const raw of err.metadata?.get("grpc-status-details-bin") ?? []) {
        const buf = typeof raw === "string" ? Buffer.from(raw, "base64") : raw;
        const status = statusproto.Status.deserializeBinary(new Uint8Array(buf));
        for (const any of status.getDetailsList()) {
            if (any.getTypeName() === INIT_FAILED_TYPE) {
                const detail = provproto.ErrorResourceInitFailed.deserializeBinary(any.getValue_asU8());
                initFailed = {
                    id: detail.getId(),
                    properties: decodeProperties(detail.getProperties()),
                    reasons: detail.getReasonsList(),
                };
            }
        }
    }
    return new HostCallError(method, err.code, err.details ?? err.message, initFailed);
}
