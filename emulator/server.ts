/**
 * The HTTP server: Alibaba RPC actions on `/` and the control API on `/__emulator/`.
 *
 * Order of processing for an action request, chosen to behave like the real gateway:
 *   read body (capped) → parse query/form → find action name → count the call →
 *   injected fault / rate limit (before authentication, like a front gateway, so a rejected
 *   call never consumes its nonce) → known action and Version → signature → parameters and
 *   the action itself → latency (and `delay` fault) → answer (or `drop-after`).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { z } from "zod";
import { ACTIONS, API_VERSION, isAction } from "./actions";
import { ApiError, Errors } from "./errors";
import { Faults, FaultRuleError, HtmlAnswer, faultAnswer, reshapeListAnswer, type FaultController, type FaultHit, type FaultRule } from "./faults";
import { checkCorners, type ContractCorners } from "./corners";
import { requestId } from "./ids";
import { DEMO_SEED, parseSeed, type Seed } from "./seed";
import { NonceCache, Verifier, parsePairs, type Credential, type RawRequest } from "./signature";
import { Store, type EmulatorInstanceView, type ExternalStatusSpelling, type NameFilter } from "./store";

export const DEFAULT_ACCESS_KEY_ID = "emulator-key-id";
export const DEFAULT_ACCESS_KEY_SECRET = "emulator-key-secret";
export const DEFAULT_HOST = "127.0.0.1";
/** Larger bodies get 413 `RequestTooLarge`: real requests of these actions are a few hundred bytes. */
export const MAX_BODY_BYTES = 1024 * 1024;
export const CONTROL_PREFIX = "/__emulator/";

export interface EmulatorOptions {
    /** Interface to bind; default 127.0.0.1. */
    host?: string;
    /** Port; default 0 (a free port, see `RunningEmulator.port`). */
    port?: number;
    /** The AccessKey pair the emulator accepts; default emulator-key-id / emulator-key-secret. */
    accessKeyId?: string;
    accessKeySecret?: string;
    /** STS triples it accepts; requests with these key IDs must carry the matching token. */
    stsCredentials?: { accessKeyId: string; accessKeySecret: string; securityToken: string }[];
    /** Projects and flows; default the built-in demo seed (`DEMO_SEED`). */
    seed?: Seed;
    /** Multiplies every duration in the seed (0.01 = 100x faster) for instances submitted from then on; default 1. */
    timeScale?: number;
    /** Added before answering every action; default 0. */
    latencyMs?: number;
    /** Per action name, overrides `latencyMs`. */
    actionLatencyMs?: Record<string, number>;
    /** More accepted actions than this within the last second get `Throttling.User` (HTTP 400); default unlimited. */
    rateLimitPerSecond?: number;
    /**
     * How the `Name` filters of ListFlowProject and ListFlow match: "contains" (a part of the name,
     * the default) or "exact". Alibaba does not document which the service does; both are played.
     */
    nameFilter?: NameFilter;
    /** Clock for the lifecycle (epoch ms); default Date.now. Signature timestamps are checked against the wall clock. */
    now?: () => number;
    /** How the answers play the corners Alibaba's documents leave open (see `corners.ts`); default the emulator's long-standing choices. */
    corners?: Partial<ContractCorners>;
    /**
     * Whether the service still has KillFlow. No current SDK of the API has it, so by default
     * ("absent") it is answered like any unknown action: 404 `InvalidAction.NotFound`.
     */
    killFlow?: "present" | "absent";
    /** How node `ExternalStatus` spells failures: `FAILED`/`KILL_FAILED` (default) or `FAIL`/`KILL_FAIL`; the documents use both. */
    externalStatusSpelling?: ExternalStatusSpelling;
}

export interface EmulatorStats {
    /** Action requests per action name (as sent, including unknown names and failed calls). */
    calls: Record<string, number>;
    /** Highest number of instances in PREP/RUNNING/SUSPENDED at the same moment. */
    maxConcurrentRunning: number;
    /** Error answers per error Code; dropped connections count as `ConnectionDropped`. */
    rejected: Record<string, number>;
    /**
     * Calls per action name whose client closed the connection before the answer was sent (a
     * client that gave up, at its deadline or read timeout). Connections the emulator drops
     * itself (the drop faults) are not counted here.
     */
    abandoned: Record<string, number>;
}

export type TunableOptions = Partial<Pick<EmulatorOptions, "latencyMs" | "actionLatencyMs" | "rateLimitPerSecond" | "timeScale" | ContractSetting>>;
/** Settings that choose between answers the published contract allows. */
type ContractSetting = "killFlow" | "externalStatusSpelling" | "nameFilter";

export interface RunningEmulator {
    /** `http://127.0.0.1:PORT` */
    url: string;
    host: string;
    port: number;
    close(): Promise<void>;
    /** Every flow instance created since the last reset, oldest first. */
    instances(): EmulatorInstanceView[];
    stats(): EmulatorStats;
    faults: FaultController;
    configure(partial: TunableOptions): void;
    /** Changes (with an argument) and returns how the undocumented corners are played (see `corners.ts`). */
    corners(partial?: Partial<ContractCorners>): ContractCorners;
    /** Forgets instances, faults, stats and nonces (the seed and configuration stay). */
    reset(): void;
}

const COMMON_PARAMS = new Set([
    "Action", "Version", "Format", "Timestamp", "SignatureNonce", "SignatureMethod", "SignatureVersion",
    "AccessKeyId", "SecurityToken", "Signature", "SignatureType", "BearerToken",
]);

const nonNegative = z.number().finite().nonnegative();
const configSchema = z.strictObject({
    latencyMs: nonNegative.optional(),
    actionLatencyMs: z.record(z.string(), nonNegative).optional(),
    rateLimitPerSecond: z.number().int().positive().nullable().optional(),
    timeScale: z.number().finite().positive().optional(),
    nameFilter: z.enum(["exact", "contains"]).optional(),
    killFlow: z.enum(["present", "absent"]).optional(),
    externalStatusSpelling: z.enum(["FAILED", "FAIL"]).optional(),
});

function checkTunables(partial: unknown): TunableOptions {
    const parsed = configSchema.safeParse(partial);
    if (!parsed.success) throw new RangeError(`invalid emulator configuration: ${z.prettifyError(parsed.error)}`);
    const { rateLimitPerSecond, ...rest } = parsed.data;
    return rateLimitPerSecond === null ? { ...rest, rateLimitPerSecond: undefined } : { ...rest, ...(rateLimitPerSecond !== undefined && { rateLimitPerSecond }) };
}

class Emulator {
    readonly store: Store;
    readonly faults = new Faults();
    private readonly nonces = new NonceCache();
    private readonly verifier: Verifier;
    private readonly now: () => number;
    private tunables: { latencyMs: number; actionLatencyMs: Record<string, number>; rateLimitPerSecond: number | undefined; timeScale: number };
    private contract: { killFlow: "present" | "absent"; externalStatusSpelling: ExternalStatusSpelling; nameFilter: NameFilter };
    private calls: Record<string, number> = {};
    private rejected: Record<string, number> = {};
    private abandoned: Record<string, number> = {};
    private accepted: number[] = [];
    private readonly timers = new Set<NodeJS.Timeout>();

    constructor(options: EmulatorOptions) {
        this.now = options.now ?? Date.now;
        const initial = checkTunables({
            latencyMs: options.latencyMs ?? 0,
            actionLatencyMs: options.actionLatencyMs ?? {},
            rateLimitPerSecond: options.rateLimitPerSecond ?? null,
            timeScale: options.timeScale ?? 1,
        });
        this.tunables = {
            latencyMs: initial.latencyMs ?? 0,
            actionLatencyMs: initial.actionLatencyMs ?? {},
            rateLimitPerSecond: initial.rateLimitPerSecond,
            timeScale: initial.timeScale ?? 1,
        };
        const contract = checkTunables({
            killFlow: options.killFlow ?? "absent",
            externalStatusSpelling: options.externalStatusSpelling ?? "FAILED",
            nameFilter: options.nameFilter ?? "contains",
        });
        this.contract = { killFlow: contract.killFlow!, externalStatusSpelling: contract.externalStatusSpelling!, nameFilter: contract.nameFilter! };
        const credentials: Credential[] = [
            { accessKeyId: options.accessKeyId ?? DEFAULT_ACCESS_KEY_ID, accessKeySecret: options.accessKeySecret ?? DEFAULT_ACCESS_KEY_SECRET },
            ...(options.stsCredentials ?? []),
        ];
        this.verifier = new Verifier(credentials, this.nonces);
        // Validate even a programmatic seed: a seed built in code can be as wrong as a file.
        this.store = new Store({
            seed: parseSeed(options.seed ?? DEMO_SEED),
            now: this.now,
            timeScale: () => this.tunables.timeScale,
            externalStatusSpelling: () => this.contract.externalStatusSpelling,
            nameFilter: () => this.contract.nameFilter,
        });
        if (options.corners !== undefined) this.setCorners(options.corners);
    }

    /** Changes how the undocumented corners are played (validated first: a bad setting changes nothing). */
    setCorners(partial: unknown): ContractCorners {
        const checked = checkCorners(partial);
        for (const [key, value] of Object.entries(checked)) if (value !== undefined) Object.assign(this.store.corners, { [key]: value });
        return { ...this.store.corners };
    }

    configure(partial: TunableOptions): void {
        const checked = checkTunables(partial);
        if ("rateLimitPerSecond" in partial) this.tunables.rateLimitPerSecond = checked.rateLimitPerSecond;
        if (checked.latencyMs !== undefined) this.tunables.latencyMs = checked.latencyMs;
        if (checked.actionLatencyMs !== undefined) this.tunables.actionLatencyMs = { ...checked.actionLatencyMs };
        if (checked.timeScale !== undefined) this.tunables.timeScale = checked.timeScale;
        if (checked.killFlow !== undefined) this.contract.killFlow = checked.killFlow;
        if (checked.externalStatusSpelling !== undefined) this.contract.externalStatusSpelling = checked.externalStatusSpelling;
        if (checked.nameFilter !== undefined) this.contract.nameFilter = checked.nameFilter;
    }

    config() {
        return { ...this.tunables, rateLimitPerSecond: this.tunables.rateLimitPerSecond ?? null, ...this.contract };
    }

    reset(): void {
        this.store.reset();
        this.faults.clear();
        this.nonces.clear();
        this.calls = {};
        this.rejected = {};
        this.abandoned = {};
        this.accepted = [];
    }

    stats(): EmulatorStats {
        return { calls: { ...this.calls }, maxConcurrentRunning: this.store.maxConcurrentRunning(), rejected: { ...this.rejected }, abandoned: { ...this.abandoned } };
    }

    instances(): EmulatorInstanceView[] {
        return this.store.all().map((r) => this.store.view(r));
    }

    cancelTimers(): void {
        for (const t of this.timers) clearTimeout(t);
        this.timers.clear();
    }

    private sleep(ms: number): Promise<void> {
        if (ms <= 0) return Promise.resolve();
        return new Promise((resolve) => {
            const timer = setTimeout(() => {
                this.timers.delete(timer);
                resolve();
            }, ms);
            this.timers.add(timer);
        });
    }

    private count(map: Record<string, number>, key: string): void {
        map[key] = (map[key] ?? 0) + 1;
    }

    /** Rolling one-second window over accepted calls (rejected ones do not use up the quota). */
    private withinRateLimit(): boolean {
        const limit = this.tunables.rateLimitPerSecond;
        if (limit === undefined) return true;
        const t = performance.now();
        while (this.accepted.length > 0 && this.accepted[0]! <= t - 1000) this.accepted.shift();
        if (this.accepted.length >= limit) return false;
        this.accepted.push(t);
        return true;
    }

    /** Entry point for every request; never throws. */
    handle(req: IncomingMessage, res: ServerResponse): void {
        req.on("error", () => undefined);
        res.on("error", () => undefined);
        const chunks: Buffer[] = [];
        let size = 0;
        let tooLarge = false;
        req.on("data", (chunk: Buffer) => {
            if (tooLarge) return;
            size += chunk.length;
            if (size > MAX_BODY_BYTES) {
                tooLarge = true;
                chunks.length = 0;
                // Answer at once and close, rather than reading an unbounded body.
                this.sendError(res, Errors.requestTooLarge(MAX_BODY_BYTES), requestId(), hostOf(req), true);
                return;
            }
            chunks.push(chunk);
        });
        req.on("end", () => {
            if (tooLarge) return;
            const body = Buffer.concat(chunks);
            if (lacksHost(req)) {
                this.sendError(res, Errors.badRequest("An HTTP/1.1 request must carry a Host header."), requestId(), hostOf(req), true);
                return;
            }
            const path = (req.url ?? "/").split("?")[0]!;
            const task = path.startsWith(CONTROL_PREFIX) || path === CONTROL_PREFIX.slice(0, -1) ? this.control(req, res, body) : this.api(req, res, body);
            task.catch(() => {
                if (!res.headersSent) this.sendError(res, Errors.internalError(), requestId(), hostOf(req), true);
            });
        });
    }

    private sendJson(res: ServerResponse, status: number, body: unknown, id: string | undefined, close = false): void {
        if (res.headersSent || res.destroyed) return;
        const text = JSON.stringify(body);
        res.writeHead(status, {
            "content-type": "application/json;charset=utf-8",
            "content-length": Buffer.byteLength(text),
            ...(id !== undefined && { "x-acs-request-id": id }),
            ...(close && { connection: "close" }),
        });
        res.end(text);
        if (close) res.once("finish", () => res.socket?.destroySoon());
    }

    /** A proxy's page: no request ID, no Alibaba body. */
    private sendHtml(res: ServerResponse, page: HtmlAnswer): void {
        if (res.headersSent || res.destroyed) return;
        this.count(this.rejected, `HTML ${page.status}`);
        const text = page.body();
        res.writeHead(page.status, { "content-type": "text/html", "content-length": Buffer.byteLength(text) });
        res.end(text);
    }

    private sendError(res: ServerResponse, error: ApiError, id: string, host: string, close = false): void {
        this.count(this.rejected, error.code);
        this.sendJson(res, error.status, { RequestId: id, HostId: host, Code: error.code, Message: error.message, Recommend: recommend(error.code) }, id, close);
    }

    private async api(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
        const id = requestId();
        const host = hostOf(req);
        // Filled in by the gate once the action name is known (properties, not locals, so the
        // compiler does not narrow them away across the callback).
        const call: { action?: string; fault?: FaultHit; dropped?: boolean } = {};
        res.once("close", () => {
            if (call.action !== undefined && !call.dropped && !res.writableEnded) this.count(this.abandoned, call.action);
        });
        let outcome: { status: number; body: unknown } | ApiError | HtmlAnswer;
        try {
            const result = this.runAction(req, body, (name) => {
                call.action = name;
                this.count(this.calls, name);
                call.fault = this.faults.take(name);
                if (call.fault?.kind === "drop-before") return "drop";
                // An error fault answers before the action runs, unless it is to answer after it.
                const rejection = call.fault && !call.fault.after ? faultAnswer(call.fault) : undefined;
                if (rejection) throw rejection;
                if (!this.withinRateLimit()) throw Errors.throttled();
                return "go";
            });
            const answer = call.fault ? reshapeListAnswer(call.fault.kind, result) : result;
            outcome = { status: 200, body: { RequestId: id, ...answer } };
        } catch (err) {
            if (err === DROP) {
                call.dropped = true;
                this.count(this.rejected, "ConnectionDropped");
                req.socket.destroy();
                return;
            }
            outcome = err instanceof ApiError || err instanceof HtmlAnswer ? err : Errors.internalError();
        }
        // The action was carried out (a SubmitFlow created its run); the answer is an error all the same.
        if (call.fault?.after) outcome = faultAnswer(call.fault) ?? outcome;
        const latency = call.action === undefined ? 0 : (this.tunables.actionLatencyMs[call.action] ?? this.tunables.latencyMs);
        await this.sleep(latency + (call.fault?.kind === "delay" ? call.fault.delayMs : 0));
        if (call.fault?.kind === "drop-after") {
            call.dropped = true;
            this.count(this.rejected, "ConnectionDropped");
            req.socket.destroy();
            return;
        }
        if (outcome instanceof ApiError) this.sendError(res, outcome, id, host);
        else if (outcome instanceof HtmlAnswer) this.sendHtml(res, outcome);
        else this.sendJson(res, outcome.status, outcome.body, id);
    }

    /** Runs one action request; `gate` is consulted once the action name is known. */
    private runAction(req: IncomingMessage, body: Buffer, gate: (action: string) => "go" | "drop"): Record<string, unknown> {
        const method = req.method ?? "";
        const url = req.url ?? "/";
        const q = url.indexOf("?");
        const path = q < 0 ? url : url.slice(0, q);
        if (path !== "/") throw Errors.unknownAction(`${method.slice(0, 20)} ${path.slice(0, 100)}`);
        if (method !== "POST" && method !== "GET") throw Errors.unsupportedMethod(method.slice(0, 20));
        const query = parsePairs(q < 0 ? "" : url.slice(q + 1), "query string");
        const contentType = String(req.headers["content-type"] ?? "").toLowerCase();
        const form = contentType.startsWith("application/x-www-form-urlencoded") ? parsePairs(body.toString("utf8"), "form body") : [];
        const fromQuery = (name: string) => query.find(([k]) => k === name)?.[1];
        const header = (name: string) => {
            const value = req.headers[name];
            return typeof value === "string" && value !== "" ? value : undefined;
        };
        const action = header("x-acs-action") ?? fromQuery("Action") ?? form.find(([k]) => k === "Action")?.[1];
        if (action === undefined || action === "") throw Errors.missingParameter("Action");
        if (gate(action) === "drop") throw DROP;

        if (!isAction(action)) throw Errors.unknownAction(action.slice(0, 100));
        if (action === "KillFlow" && this.contract.killFlow === "absent") throw Errors.unknownAction(action);
        const version = header("x-acs-version") ?? fromQuery("Version") ?? form.find(([k]) => k === "Version")?.[1];
        if (version === undefined) throw Errors.missingParameter("Version");
        if (version !== API_VERSION) throw Errors.invalidVersion(version.slice(0, 40));

        const raw: RawRequest = { method, path, query, form, rawHeaders: req.rawHeaders, body };
        this.verifier.verify(raw, Date.now());

        const params = new Map<string, string>();
        for (const [key, value] of [...query, ...form]) {
            if (COMMON_PARAMS.has(key)) continue;
            if (params.has(key)) throw Errors.invalidParameter(key, "given more than once");
            params.set(key, value);
        }
        return ACTIONS[action](params, this.store, this.now());
    }

    private async control(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
        const path = (req.url ?? "/").split("?")[0]!.slice(CONTROL_PREFIX.length);
        const method = req.method ?? "";
        const ok = (value: unknown, status = 200) => this.sendJson(res, status, value, undefined);
        const fail = (status: number, message: string) => this.sendJson(res, status, { error: message }, undefined);
        const json = (): unknown => {
            if (body.length === 0) return {};
            try {
                return JSON.parse(body.toString("utf8"));
            } catch {
                throw new SyntaxError("the body is not valid JSON");
            }
        };
        try {
            const route = `${method} ${path}`;
            switch (route) {
                case "GET instances":
                    return ok({ instances: this.instances() });
                case "GET stats":
                    return ok(this.stats());
                case "GET faults":
                    return ok({ faults: this.faults.list() });
                case "POST faults": {
                    const input = json();
                    const rules = (Array.isArray(input) ? input : [input]) as FaultRule[];
                    // Validate every rule before adding any, so a bad batch changes nothing.
                    const probe = new Faults();
                    for (const rule of rules) probe.add(rule);
                    return ok({ faults: rules.map((rule) => this.faults.add(rule)) }, 201);
                }
                case "DELETE faults":
                    return ok({ cleared: this.faults.clear() });
                case "GET config":
                    return ok(this.config());
                case "POST config":
                    this.configure(json() as TunableOptions);
                    return ok(this.config());
                case "GET corners":
                    return ok(this.setCorners({}));
                case "POST corners":
                    return ok(this.setCorners(json()));
                case "POST reset":
                    this.reset();
                    return ok({ reset: true });
                default:
                    return fail(404, `no control endpoint ${route}; see the emulator README`);
            }
        } catch (err) {
            if (err instanceof FaultRuleError || err instanceof RangeError || err instanceof SyntaxError) return fail(400, err.message);
            return fail(500, "internal error");
        }
    }
}

const DROP = Symbol("drop");

function hostOf(req: IncomingMessage): string {
    const host = req.headers.host;
    return typeof host === "string" && host.length < 256 ? host : "emr.aliyuncs.com";
}

/** HTTP/1.1 requires Host (RFC 9112 3.2); Node's own check would answer a bare 400 without a body. */
function lacksHost(req: IncomingMessage): boolean {
    return (req.httpVersionMajor > 1 || (req.httpVersionMajor === 1 && req.httpVersionMinor >= 1)) && req.headers.host === undefined;
}

function recommend(code: string): string {
    return `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(code)}&product=Emr`;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
    const emulator = new Emulator(options);
    // The Host check is the emulator's own (see `lacksHost`), so that the answer is an API error body.
    const server: Server = createServer({ requireHostHeader: false }, (req, res) => emulator.handle(req, res));
    // Malformed HTTP (bad request line, oversized headers) gets an error answer, never a crash.
    server.on("clientError", (err: NodeJS.ErrnoException, socket: Socket) => {
        if (!socket.writable) {
            socket.destroy();
            return;
        }
        const status = err.code === "HPE_HEADER_OVERFLOW" ? 431 : 400;
        const text = JSON.stringify({ RequestId: requestId(), HostId: "emr.aliyuncs.com", Code: "InvalidRequest", Message: `Malformed HTTP request: ${err.code ?? err.message}`, Recommend: "" });
        socket.end(`HTTP/1.1 ${status} Bad Request\r\ncontent-type: application/json;charset=utf-8\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`);
    });
    const host = options.host ?? DEFAULT_HOST;
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(options.port ?? 0, host, () => {
            server.off("error", reject);
            resolve();
        });
    });
    const address = server.address();
    const port = typeof address === "object" && address !== null ? address.port : 0;
    let closing: Promise<void> | undefined;
    return {
        url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
        host,
        port,
        close() {
            closing ??= new Promise<void>((resolve) => {
                emulator.cancelTimers();
                server.close(() => resolve());
                server.closeAllConnections();
            });
            return closing;
        },
        instances: () => emulator.instances(),
        stats: () => emulator.stats(),
        faults: emulator.faults,
        configure: (partial) => emulator.configure(partial),
        corners: (partial) => emulator.setCorners(partial ?? {}),
        reset: () => emulator.reset(),
    };
}
