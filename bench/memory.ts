/**
 * Memory: the host's peak resident set (`VmHWM` from `/proc/<pid>/status`) after 500 creates,
 * against a host running the no-dependency provider for the same 500. Creates go ten at a time.
 * Both hosts have default settings.
 */
import type { RunningEmulator } from "../emulator";
import { checkAndCreate, peakRssKiB, round, startHost, stopHost, submissionInputs, type Figure, type ProviderTexts } from "./common";

export const CREATES = 500;
export const PARALLEL = 10;

async function peakAfterCreates(emu: RunningEmulator, text: string, config: Record<string, string>): Promise<{ startKiB: number; peakKiB: number }> {
    const h = await startHost(emu, { config });
    try {
        const pid = h.host.pid!;
        const startKiB = peakRssKiB(pid);
        const inputs = submissionInputs(text);
        let next = 0;
        await Promise.all(
            Array.from({ length: PARALLEL }, async () => {
                while (next < CREATES) {
                    next++;
                    await checkAndCreate(h.host, inputs);
                }
            }),
        );
        return { startKiB, peakKiB: peakRssKiB(pid) };
    } finally {
        await stopHost(h);
    }
}

export async function measureMemory(emu: RunningEmulator, texts: ProviderTexts, o: { goal: number }): Promise<Figure> {
    emu.configure({ latencyMs: 0, actionLatencyMs: {}, rateLimitPerSecond: undefined });
    const bare = await peakAfterCreates(emu, texts.bare, {});
    const ours = await peakAfterCreates(emu, texts.ours, {});
    const ratio = ours.peakKiB / bare.peakKiB;
    return {
        figure: `memory (host peak RSS after ${CREATES} creates)`,
        settings: {},
        ours: round(ours.peakKiB / 1024, 1),
        baseline: round(bare.peakKiB / 1024, 1),
        ratio: round(ratio),
        unit: "MiB",
        goal: `<= ${o.goal}`,
        met: ratio <= o.goal,
        detail: { creates: CREATES, parallel: PARALLEL, oursKiB: ours, noDependenciesKiB: bare },
    };
}
