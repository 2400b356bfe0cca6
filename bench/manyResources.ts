/**
 * Many resources: 100 submissions (`waitFor: "submission"`) through one host, all in flight at
 * once, as the engine sends them with its default parallelism (unbounded), each a Check then a
 * Create. The figure is the wall time from the first Check to the last Create's answer.
 *
 * - Against an emulator that accepts 20 calls in any second and throttles the rest, with the
 *   provider's default settings: the ideal is 100 / 20 = 5 s, and the share of calls throttled is
 *   counted (the first throttling answers are what the adaptive rate learns from).
 * - The same with `emr-flow:maxRequestsPerSecond` set to the service's 20: what a user who knows
 *   the quota gets.
 * - Against an emulator without a limit, with default settings, against the minimal provider
 *   making the same 100 calls through the same host: what the provider costs at scale when the
 *   service never throttles.
 */
import type { RunningEmulator } from "../emulator";
import { checkAndCreate, round, sleep, startHost, stopHost, submissionInputs, timed, type Figure, type ProviderTexts } from "./common";

export const SUBMISSIONS = 100;
export const SERVICE_RATE = 20;
export const THROTTLED_SHARE_GOAL = 0.05;

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
        const t = await timed(() => Promise.all(Array.from({ length: SUBMISSIONS }, () => checkAndCreate(h.host, inputs))));
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

export async function measureManyResources(emu: RunningEmulator, texts: ProviderTexts, o: { goal: number; unlimitedGoal: number }): Promise<Figure[]> {
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
                detail: { idealMs, ...b, ms: round(b.ms, 0), throttledShare: round(share), parallel: SUBMISSIONS },
                note:
                    share > THROTTLED_SHARE_GOAL && Object.keys(config).length === 0
                        ? `${b.throttled} of ${b.submitCalls} SubmitFlow calls were throttled (${round(share * 100, 1)}%). ` +
                          `With the engine's unbounded parallelism all ${SUBMISSIONS} calls start at once; without a client-side delay before the first ` +
                          `throttling answer, the ones beyond what the service takes in its first second are throttled before the client can know its rate. ` +
                          `They are retried safely (a throttled SubmitFlow provably did not start a run), and the rate adapts from there.`
                        : undefined,
            });
        }
    } finally {
        emu.configure({ rateLimitPerSecond: undefined });
    }
    const ours = await burst(emu, texts.ours, {});
    const minimal = await burst(emu, texts.minimal, {});
    const ratio = ours.ms / minimal.ms;
    figures.push({
        figure: `many resources (${SUBMISSIONS} submissions, no service limit)`,
        settings: {},
        ours: round(ours.ms, 0),
        baseline: round(minimal.ms, 0),
        ratio: round(ratio),
        unit: "ms wall time vs minimal provider",
        goal: `<= ${o.unlimitedGoal}`,
        met: ratio <= o.unlimitedGoal,
        detail: { ours: { ...ours, ms: round(ours.ms, 0) }, minimal: { ...minimal, ms: round(minimal.ms, 0) }, parallel: SUBMISSIONS },
    });
    return figures;
}
