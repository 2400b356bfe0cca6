/**
 * Many resources: 100 submissions (`waitFor: "submission"`) through one host, all in flight at
 * once as the engine would send them with enough parallelism, against an emulator that accepts
 * 20 calls a second and throttles the rest. The ideal is 100 / 20 = 5 s; the figure is the wall
 * time from the first Check to the last Create's answer.
 *
 * Run twice: with the provider's default settings (what a user gets), and with the client-side
 * rate limit set to the service's 20 a second (`emr-flow:maxRequestsPerSecond`), so the table
 * shows how much of the time is the default pacing and how much the provider itself.
 */
import type { RunningEmulator } from "../emulator";
import { checkAndCreate, round, startHost, stopHost, submissionInputs, timed, type Figure, type ProviderTexts } from "./common";

export const SUBMISSIONS = 100;
export const SERVICE_RATE = 20;

async function burst(emu: RunningEmulator, text: string, config: Record<string, string>): Promise<{ ms: number; throttled: number; submitCalls: number; instances: number }> {
    const h = await startHost(emu, { config });
    try {
        emu.reset();
        // Let the emulator's rolling second empty out after configure and any earlier run.
        await new Promise((resolve) => setTimeout(resolve, 1100));
        const inputs = submissionInputs(text);
        const t = await timed(() => Promise.all(Array.from({ length: SUBMISSIONS }, () => checkAndCreate(h.host, inputs))));
        const ids = new Set(t.value);
        if (ids.size !== SUBMISSIONS) throw new Error(`expected ${SUBMISSIONS} distinct runs, got ${ids.size}`);
        const stats = emu.stats();
        return { ms: t.ms, throttled: stats.rejected["Throttling.User"] ?? 0, submitCalls: stats.calls.SubmitFlow ?? 0, instances: emu.instances().length };
    } finally {
        await stopHost(h);
    }
}

export async function measureManyResources(emu: RunningEmulator, texts: ProviderTexts, o: { goal: number }): Promise<Figure> {
    emu.configure({ latencyMs: 0, actionLatencyMs: {}, rateLimitPerSecond: SERVICE_RATE });
    try {
        const idealMs = (SUBMISSIONS / SERVICE_RATE) * 1000;
        const defaults = await burst(emu, texts.ours, {});
        const matched = await burst(emu, texts.ours, { "emr-flow:maxRequestsPerSecond": String(SERVICE_RATE) });
        const ratio = defaults.ms / idealMs;
        return {
            figure: `many resources (${SUBMISSIONS} submissions, service ${SERVICE_RATE}/s)`,
            ours: round(defaults.ms / 1000, 2),
            baseline: idealMs / 1000,
            ratio: round(ratio),
            unit: "s wall time (default settings)",
            goal: `<= ${o.goal}`,
            met: ratio <= o.goal,
            detail: {
                idealMs,
                defaultSettings: { ...defaults, ms: round(defaults.ms, 0), ratio: round(ratio) },
                rateSetToService: { ...matched, ms: round(matched.ms, 0), ratio: round(matched.ms / idealMs), config: { "emr-flow:maxRequestsPerSecond": SERVICE_RATE } },
            },
        };
    } finally {
        emu.configure({ rateLimitPerSecond: undefined });
    }
}
