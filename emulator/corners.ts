/**
 * The corners of the API that Alibaba's documents leave open, each playable several ways.
 *
 * Where the documents are silent, a client must not depend on one reading. So the emulator can
 * answer each such question every plausible way, and the provider's tests run against all of
 * them. Every choice here is invented (no Alibaba document settles it); the default is the
 * reading the emulator has always played.
 *
 * - `timeRangeOn`: which time ListFlowInstance's `TimeRange` filters on. `GmtCreate` (default),
 *   `StartTime` (a run still in PREP has none, so it is not listed while a range is given), or
 *   `ignored` (the range is accepted and has no effect).
 * - `scheduleTime`: what `ScheduleTime` shows for a run submitted with a numeric `cyctime`.
 *   `cyctime` (default: the value sent), `second` / `minute` (rounded to the nearest second or
 *   minute), or `absent` (the field is left out).
 * - `pageSizeCap`: ListFlowInstance serves at most this many items a page, whatever `PageSize`
 *   asked, without an error, echoing the `PageSize` asked for; `Total` stays truthful. `null`
 *   (default): up to the documented-looking maximum of 100, beyond which `PageSize` is rejected.
 */
import { z } from "zod";

export const TIME_RANGE_MODES = ["GmtCreate", "StartTime", "ignored"] as const;
export const SCHEDULE_TIME_MODES = ["cyctime", "second", "minute", "absent"] as const;

export type TimeRangeMode = (typeof TIME_RANGE_MODES)[number];
export type ScheduleTimeMode = (typeof SCHEDULE_TIME_MODES)[number];

export interface ContractCorners {
    timeRangeOn: TimeRangeMode;
    scheduleTime: ScheduleTimeMode;
    pageSizeCap: number | null;
}

export const DEFAULT_CORNERS: Readonly<ContractCorners> = Object.freeze({ timeRangeOn: "GmtCreate", scheduleTime: "cyctime", pageSizeCap: null });

const cornersSchema = z.strictObject({
    timeRangeOn: z.enum(TIME_RANGE_MODES).optional(),
    scheduleTime: z.enum(SCHEDULE_TIME_MODES).optional(),
    pageSizeCap: z.number().int().positive().nullable().optional(),
});

/** Validates a partial setting; throws `RangeError` naming every bad field. */
export function checkCorners(partial: unknown): Partial<ContractCorners> {
    const parsed = cornersSchema.safeParse(partial);
    if (!parsed.success) throw new RangeError(`invalid contract corners: ${z.prettifyError(parsed.error)}`);
    return parsed.data;
}

/** `ScheduleTime` of a run with this numeric `cyctime` under `mode`; undefined: left out. */
export function scheduleTimeOf(cyctimeMs: number, mode: ScheduleTimeMode): number | undefined {
    switch (mode) {
        case "cyctime":
            return cyctimeMs;
        case "second":
            return Math.round(cyctimeMs / 1000) * 1000;
        case "minute":
            return Math.round(cyctimeMs / 60_000) * 60_000;
        case "absent":
            return undefined;
    }
}

/** Whether a run with these times falls in `range` under `mode`. */
export function inTimeRange(times: { gmtCreate: number; startTime?: number }, range: { from: number; to: number }, mode: TimeRangeMode): boolean {
    if (mode === "ignored") return true;
    const at = mode === "GmtCreate" ? times.gmtCreate : times.startTime;
    return at !== undefined && at >= range.from && at <= range.to;
}
