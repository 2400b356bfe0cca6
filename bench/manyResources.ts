/**
 * Many resources: 100 submissions (`waitFor: "submission"`) through one host, each a Check then a
 * Create, at most {@link ENGINE_PARALLEL} at a time: the engine's default `--parallel`, four times
 * the number of CPUs (`4 * GOMAXPROCS`) since January 2024; it was unbounded before. The figure
 * is the wall time from the first Check to the last Create's answer; the first Check loads the
 * provider, as it does in a deployment.
 *
 * - Against an emulator that accepts 20 calls in any second and throttles the rest, with the
 *   provider's default settings: the ideal is 100 / 20 = 5 s, and the share of calls throttled is
 *   counted (the first throttling answers are what the adaptive rate learns from).
 * - The same with `emr-flow:maxRequestsPerSecond` set to the service's 20: what a user who knows
 *   the quota gets.
 * - Against an emulator without a limit, with default settings, against the minimal provider
 *   making the same 100 calls through the same host: what the provider costs at scale when the
 *   service never throttles. The median of several runs each (a burst is under a second long).
 */
import * as os from "os";

import type { RunningEmulator } from "../emulator";
import { checkAndCreate, round, sleep, startHost, stopHost, submissionInputs, summary, timed, type Figure, type ProviderTexts } from "./common";

export const SUBMISSIONS = 100;
export const SERVICE_RATE = 20;
export const THROTTLED_SHARE_GOAL = 0.05;
/** The engine's default parallelism on this machine: `pulumi up` without `--parallel`. */
export const ENGINE_PARALLEL = 4 * os.availableParallelism();

/** Runs `task` `count` times, at most `parallel` at once, as the engine's step executor does. */
async function withParallelism<T>(count: number, parallel: number, task: () => Promise<T>): Promise<T[]> {
    const results: T[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
        while (next < count) {
            const i = next++;
            results[i] = await task();
        }
    };
    await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
    return results;
}

interface Burst {
    ms: number;
    throttled: number;
    submitCalls: number;
    instances: number;
}

async function burst(emu: RunningEmulator, text: string, config: Record<string, string>): Promise<Burst> {
    const h = await startHost(emu, { config });
    try {
        emu.reset();
        // Let the emulator's rolling second empty out after configure and any earlier run.
        await sleep(1100);
        const inputs = submissionInputs(text);
        const t = await timed(() => withParallelism(SUBMISSIONS, ENGINE_PARALLEL, () => checkAndCreate(h.host, inputs)));
        const ids = new Set(t.value);
        if (ids.size !== SUBMISSIONS) throw new Error(`expected ${SUBMISSIONS} distinct runs, got ${ids.size}`);
        const stats = emu.stats();
        const instances = emu.instances().length;
        if (instances !== SUBMISSIONS) throw new Error(`expected ${SUBMISSIONS} runs in the emulator, got ${instances}`);
        return { ms: t.ms, throttled: stats.rejected["Throttling.User"] ?? 0, submitCalls: stats.calls.SubmitFlow ?? 0, instances };
    } finally {
        await stopHost(h);
    }
}

export async function measureManyResources(emu: RunningEmulator, texts: ProviderTexts, o: { goal: number; unlimitedGoal: number; unlimitedRuns: number }): Promise<Figure[]> {
    const figures: Figure[] = [];
    const idealMs = (SUBMISSIONS / SERVICE_RATE) * 1000;
    emu.configure({ latencyMs: 0, actionLatencyMs: {}, rateLimitPerSecond: SERVICE_RATE });
    try {
        const rows: Record<string, string>[] = [{}, { "emr-flow:maxRequestsPerSecond": String(SERVICE_RATE) }];
        for (const config of rows) {
            const b = await burst(emu, texts.ours, config);
            const ratio = b.ms / idealMs;
            const share = b.throttled / b.submitCalls;
            figures.push({
                figure: `many resources (${SUBMISSIONS} submissions, service ${SERVICE_RATE}/s)`,
                settings: config,
                ours: round(b.ms / 1000, 2),
                baseline: idealMs / 1000,
                ratio: round(ratio),
                unit: "s wall time vs ideal",
                goal: `<= ${o.goal}, <= ${THROTTLED_SHARE_GOAL * 100}% of calls throttled`,
                met: ratio <= o.goal && share <= THROTTLED_SHARE_GOAL,
                detail: { idealMs, ...b, ms: round(b.ms, 0), throttledShare: round(share), parallel: ENGINE_PARALLEL },
                note:
                    share > THROTTLED_SHARE_GOAL && Object.keys(config).length === 0
                        ? `${b.throttled} of ${b.submitCalls} SubmitFlow calls were throttled (${round(share * 100, 1)}%). ` +
                          `Without a client-side delay before the first throttling answer, the calls the engine has in flight (${ENGINE_PARALLEL} at once) ` +
                          `beyond what the service takes in its first second are throttled before the client can know its rate. ` +
                          `They are retried safely (a throttled SubmitFlow provably did not start a run), and the rate adapts from there.`
                        : undefined,
            });
        }
    } finally {
        emu.configure({ rateLimitPerSecond: undefined });
    }
    // A burst lasts under a second, and one of each varied by a tenth from run to run: the
    // median of several, each on a fresh host, alternating which goes first.
    const times = { ours: [] as number[], minimal: [] as number[] };
    for (let i = 0; i < o.unlimitedRuns; i++) {
        for (const which of i % 2 === 0 ? (["ours", "minimal"] as const) : (["minimal", "ours"] as const)) {
            times[which].push((await burst(emu, texts[which], {})).ms);
        }
    }
    const ours = summary(times.ours);
    const minimal = summary(times.minimal);
    const ratio = ours.median / minimal.median;
    figures.push({
        figure: `many resources (${SUBMISSIONS} submissions, no service limit)`,
        settings: {},
        ours: round(ours.median, 0),
        baseline: round(minimal.median, 0),
        ratio: round(ratio),
        unit: `ms wall time (median of ${o.unlimitedRuns}) vs minimal provider`,
        goal: `<= ${o.unlimitedGoal}`,
        met: ratio <= o.unlimitedGoal,
        detail: { ours: { ...ours, runsMs: times.ours.map((ms) => round(ms, 0)) }, minimal: { ...minimal, runsMs: times.minimal.map((ms) => round(ms, 0)) }, parallel: ENGINE_PARALLEL },
    });
    return figures;
}
