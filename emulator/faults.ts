/**
 * Fault injection: rules that make chosen calls fail the way a real network or service fails,
 * so client retry, timeout and idempotency code can be tested. Rules are countable ("the next
 * two SubmitFlow calls") or probabilistic (with an optional seed for a repeatable sequence).
 */
import { z } from "zod";
import { ApiError, Errors } from "./errors";

export const FAULT_KINDS = [
    "throttle",
    "http500",
    "http503",
    "delay",
    "drop-before",
    "drop-after",
    // Answers where the documents are silent (see the README's "Contract corners").
    "error",
    "html",
    "list-without-list",
    "list-empty-page",
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Kinds that answer an error, and so may be given `after` (act first, then fail). */
const ERROR_KINDS: ReadonlySet<FaultKind> = new Set(["throttle", "http500", "http503", "error", "html"]);
/** Kinds that change a ListFlowInstance answer; they match no other action. */
export const LIST_KINDS: ReadonlySet<FaultKind> = new Set(["list-without-list", "list-empty-page"]);

export const faultRuleSchema = z
    .strictObject({
    /** An action name, or "*" for every action. */
    action: z.string().min(1).default("*"),
    kind: z.enum(FAULT_KINDS),
    /** Apply to the next `count` matching calls, then expire. Without it the rule never expires. */
    count: z.number().int().positive().optional(),
    /** Apply to this share of matching calls (0..1). Combined with `count`, at most `count` times. */
    probability: z.number().min(0).max(1).optional(),
    /** Seed for the rule's own PRNG, so a probabilistic rule fires on the same calls every run. */
    seed: z.number().int().optional(),
    /** For `delay`: how long to hold the answer. Default 5000. */
    delayMs: z.number().int().nonnegative().optional(),
    /** For `throttle` and `error`: the `Code` answered (`throttle` default `Throttling.User`). */
    code: z.string().regex(/^[A-Za-z][A-Za-z0-9.]*$/, "must be an Alibaba-style code such as Throttling.Api").max(100).optional(),
    /** For `throttle`, `error` and `html`: the HTTP status (default 400; `html` 502). */
    status: z.number().int().min(400).max(599).optional(),
    /** For `error`: the `Message` answered (default a generic one). */
    message: z.string().max(500).optional(),
    /** For the error kinds: carry out the action first (a SubmitFlow creates its run), then answer the error. */
    after: z.boolean().optional(),
})
    .superRefine((rule, ctx) => {
        if (rule.kind === "error" && rule.code === undefined) ctx.addIssue({ code: "custom", path: ["code"], message: 'an "error" fault needs a code' });
        if (rule.code !== undefined && rule.kind !== "throttle" && rule.kind !== "error") ctx.addIssue({ code: "custom", path: ["code"], message: 'only "throttle" and "error" faults take a code' });
        if (rule.message !== undefined && rule.kind !== "error") ctx.addIssue({ code: "custom", path: ["message"], message: 'only "error" faults take a message' });
        if (rule.status !== undefined && !["throttle", "error", "html"].includes(rule.kind)) ctx.addIssue({ code: "custom", path: ["status"], message: 'only "throttle", "error" and "html" faults take a status' });
        if (rule.after !== undefined && !ERROR_KINDS.has(rule.kind)) ctx.addIssue({ code: "custom", path: ["after"], message: "only faults that answer an error take after" });
        if (LIST_KINDS.has(rule.kind) && rule.action !== "*" && rule.action !== "ListFlowInstance") {
            ctx.addIssue({ code: "custom", path: ["action"], message: `a "${rule.kind}" fault applies to ListFlowInstance only` });
        }
    });

export type FaultRule = z.input<typeof faultRuleSchema>;

export interface FaultView {
    id: string;
    action: string;
    kind: FaultKind;
    /** Calls this rule will still affect; null for a rule without `count`. */
    remaining: number | null;
    probability: number | null;
    delayMs: number | null;
    /** The answer of `throttle`, `error` and `html` faults; null for the others. */
    code: string | null;
    status: number | null;
    after: boolean;
    /** Calls this rule has affected so far. */
    hits: number;
}

export interface FaultController {
    /** Adds a rule (validated; throws `FaultRuleError` on a bad one) and returns its view. */
    add(rule: FaultRule): FaultView;
    /** Rules still active, in the order they are checked. */
    list(): FaultView[];
    /** Removes every rule; returns how many there were. */
    clear(): number;
}

export class FaultRuleError extends Error {
    override name = "FaultRuleError";
}

/** The fault a call gets, if any. */
export interface FaultHit {
    kind: FaultKind;
    delayMs: number;
    code?: string;
    status?: number;
    message?: string;
    /** Answer the error only after the action was carried out. */
    after: boolean;
}

interface ActiveRule {
    id: string;
    action: string;
    kind: FaultKind;
    remaining: number | undefined;
    probability: number | undefined;
    delayMs: number;
    hits: number;
    random: () => number;
    code: string | undefined;
    status: number | undefined;
    message: string | undefined;
    after: boolean;
}

/** mulberry32: tiny, fast, and good enough to pick which calls fail. */
export function seededRandom(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

export class Faults implements FaultController {
    private rules: ActiveRule[] = [];
    private nextId = 1;

    add(rule: FaultRule): FaultView {
        const parsed = faultRuleSchema.safeParse(rule);
        if (!parsed.success) throw new FaultRuleError(`invalid fault rule: ${z.prettifyError(parsed.error)}`);
        const r = parsed.data;
        const active: ActiveRule = {
            id: `fault-${this.nextId++}`,
            action: r.action,
            kind: r.kind,
            remaining: r.count,
            probability: r.probability,
            delayMs: r.delayMs ?? 5000,
            hits: 0,
            random: r.seed === undefined ? Math.random : seededRandom(r.seed),
            code: r.code,
            status: r.status,
            message: r.message,
            after: r.after ?? false,
        };
        this.rules.push(active);
        return view(active);
    }

    list(): FaultView[] {
        return this.rules.map(view);
    }

    clear(): number {
        const n = this.rules.length;
        this.rules = [];
        return n;
    }

    /**
     * Decides the fault for one call of `action`: the first rule (in insertion order) that
     * matches and fires. Only one fault applies per call; a rule's probability is drawn only
     * when the call reaches it.
     */
    take(action: string): FaultHit | undefined {
        for (const rule of this.rules) {
            if (rule.action !== "*" && rule.action !== action) continue;
            if (LIST_KINDS.has(rule.kind) && action !== "ListFlowInstance") continue;
            if (rule.probability !== undefined && !(rule.random() < rule.probability)) continue;
            rule.hits += 1;
            if (rule.remaining !== undefined) {
                rule.remaining -= 1;
                if (rule.remaining <= 0) this.rules = this.rules.filter((r) => r !== rule);
            }
            return { kind: rule.kind, delayMs: rule.delayMs, code: rule.code, status: rule.status, message: rule.message, after: rule.after };
        }
        return undefined;
    }
}

function view(rule: ActiveRule): FaultView {
    return {
        id: rule.id,
        action: rule.action,
        kind: rule.kind,
        remaining: rule.remaining ?? null,
        probability: rule.probability ?? null,
        delayMs: rule.kind === "delay" ? rule.delayMs : null,
        code: rule.kind === "throttle" ? (rule.code ?? "Throttling.User") : (rule.code ?? null),
        status: rule.kind === "throttle" || rule.kind === "error" ? (rule.status ?? 400) : rule.kind === "html" ? (rule.status ?? 502) : null,
        after: rule.after,
        hits: rule.hits,
    };
}

// ----- the answers of the error kinds -----

/** An HTML page in place of a JSON answer, as a proxy or load balancer in front of the API sends. */
export class HtmlAnswer {
    constructor(readonly status: number) {}

    body(): string {
        const title = `${this.status} ${HTML_TITLES[this.status] ?? "Error"}`;
        return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>Tengine</center>\r\n</body>\r\n</html>\r\n`;
    }
}

const HTML_TITLES: Record<number, string> = { 500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Temporarily Unavailable", 504: "Gateway Time-out" };

/** Messages of the codes the documents give one for; others get a generic message. */
const CODE_MESSAGES: Record<string, string> = {
    Throttling: "Request was denied due to request throttling.",
    "Throttling.User": "Request was denied due to user flow control.",
    "Throttling.Api": "The request for this resource has exceeded your available limit.",
    ThrottlingException: "Request was denied due to request throttling.",
    ServiceUnavailable: "The request has failed due to a temporary failure of the server.",
    InternalError: "The request processing has failed due to some unknown error, exception or failure.",
    "Forbidden.RAM": "User not authorized to operate on the specified resource, or this API doesn't support RAM.",
    Forbidden: "User not authorized to operate on the specified resource.",
};

/** The answer of a fault of an error kind; undefined for the other kinds. */
export function faultAnswer(hit: FaultHit): ApiError | HtmlAnswer | undefined {
    switch (hit.kind) {
        case "throttle":
            return hit.code === undefined && hit.status === undefined ? Errors.throttled() : answer(hit.status ?? 400, hit.code ?? "Throttling.User");
        case "http500":
            return Errors.internalError();
        case "http503":
            return Errors.serviceUnavailable();
        case "error":
            return answer(hit.status ?? 400, hit.code ?? "InternalError", hit.message);
        case "html":
            return new HtmlAnswer(hit.status ?? 502);
        default:
            return undefined;
    }
}

function answer(status: number, code: string, message?: string): ApiError {
    return new ApiError(status, code, message ?? CODE_MESSAGES[code] ?? `The request was denied (${code}).`);
}

/** A ListFlowInstance answer as a `list-*` fault changes it; other answers as they are. */
export function reshapeListAnswer(kind: FaultKind, body: Record<string, unknown>): Record<string, unknown> {
    if (kind === "list-without-list") {
        const { FlowInstances: _dropped, ...rest } = body;
        return rest;
    }
    if (kind === "list-empty-page") return { ...body, FlowInstances: { FlowInstance: [] } };
    return body;
}
