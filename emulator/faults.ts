/**
 * Fault injection: rules that make chosen calls fail the way a real network or service fails,
 * so client retry, timeout and idempotency code can be tested. Rules are countable ("the next
 * two SubmitFlow calls") or probabilistic (with an optional seed for a repeatable sequence).
 */
import { z } from "zod";

export const FAULT_KINDS = ["throttle", "http500", "http503", "delay", "drop-before", "drop-after"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export const faultRuleSchema = z.strictObject({
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
            if (rule.probability !== undefined && !(rule.random() < rule.probability)) continue;
            rule.hits += 1;
            if (rule.remaining !== undefined) {
                rule.remaining -= 1;
                if (rule.remaining <= 0) this.rules = this.rules.filter((r) => r !== rule);
            }
            return { kind: rule.kind, delayMs: rule.delayMs };
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
        hits: rule.hits,
    };
}
