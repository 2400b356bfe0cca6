/**
 * What `wait` shows while a run goes on. On a terminal, one live line redrawn in place (a bar of
 * nodes finished, the status, and the time elapsed, ticking every second between polls). Anywhere
 * else (a log file, CI, a pipe), plain lines from the provider's `progressLine`, printed when the
 * status or the count of finished nodes changes and otherwise once a minute, so a log of a long
 * run stays short and reads like `pulumi up`'s.
 */
import type { FlowInstance } from "../provider/client/responses";
import { PROGRESS_EVERY_MS, formatElapsed, progressLine } from "../provider/runs/waiter";

/** The part of a stream progress writes to. */
export interface ProgressStream {
    write(text: string): unknown;
    isTTY?: boolean;
    columns?: number;
}

/** How wide the bar is, in cells. */
export const BAR_WIDTH = 24;
/** How often the terminal line is redrawn between polls, so the elapsed time moves. */
export const TICK_MS = 1000;

const FINISHED_NODE = new Set(["SUCCESS", "FAILED", "KILL_SUCCESS", "KILL_FAILED"]);

export function nodesFinished(instance: FlowInstance): number {
    return instance.nodes.filter((n) => FINISHED_NODE.has(n.status)).length;
}

/** One frame of the terminal bar: `FI-… [#####-----] 2/3 nodes  RUNNING  12s`. */
export function barLine(instance: FlowInstance, elapsedMs: number, width = BAR_WIDTH): string {
    const total = instance.nodes.length;
    const done = nodesFinished(instance);
    const filled = total === 0 ? 0 : Math.round((done / total) * width);
    const bar = "#".repeat(filled) + "-".repeat(width - filled);
    return `${instance.id} [${bar}] ${done}/${total} nodes  ${instance.status}  ${formatElapsed(elapsedMs)}`;
}

/** Elapsed time of a run as the service sees it: from its start (or creation), else from `fallback`. */
export function runStartedAt(instance: FlowInstance | undefined, fallback: number): number {
    return instance?.startTime ?? instance?.gmtCreate ?? fallback;
}

export interface ProgressReporter {
    /** A fresh state from a poll. */
    update(instance: FlowInstance): void;
    /** Ends the display (stops the ticker, ends the terminal line). */
    stop(): void;
}

/** A bar on a terminal, plain lines elsewhere. `now` is injectable for tests of the plain lines. */
export function progressReporter(stream: ProgressStream, startedAtFallback: number, now: () => number = Date.now): ProgressReporter {
    if (stream.isTTY) return new TerminalBar(stream, startedAtFallback, now);
    return new PlainLines(stream, startedAtFallback, now);
}

class PlainLines implements ProgressReporter {
    private lastKey?: string;
    private lastAt = -Infinity;

    constructor(
        private readonly stream: ProgressStream,
        private readonly fallback: number,
        private readonly now: () => number,
    ) {}

    update(instance: FlowInstance): void {
        const at = this.now();
        const key = `${instance.status}:${nodesFinished(instance)}`;
        if (key === this.lastKey && at - this.lastAt < PROGRESS_EVERY_MS) return;
        this.lastKey = key;
        this.lastAt = at;
        this.stream.write(`${progressLine(instance, at - runStartedAt(instance, this.fallback))}\n`);
    }

    stop(): void {}
}

class TerminalBar implements ProgressReporter {
    private last?: FlowInstance;
    private readonly timer: NodeJS.Timeout;
    private drawn = false;

    constructor(
        private readonly stream: ProgressStream,
        private readonly fallback: number,
        private readonly now: () => number,
    ) {
        this.timer = setInterval(() => this.draw(), TICK_MS);
        // The ticker must never keep the process alive on its own.
        this.timer.unref();
    }

    update(instance: FlowInstance): void {
        this.last = instance;
        this.draw();
    }

    stop(): void {
        clearInterval(this.timer);
        this.draw();
        if (this.drawn) this.stream.write("\n");
        this.drawn = false;
    }

    private draw(): void {
        if (!this.last) return;
        let line = barLine(this.last, this.now() - runStartedAt(this.last, this.fallback));
        // A line longer than the terminal wraps, and "\r" then redraws only its last part.
        const columns = this.stream.columns;
        if (columns && line.length >= columns) line = line.slice(0, columns - 1);
        // \r back to the start, ESC[2K erases the old frame (a shorter frame would leave its tail).
        this.stream.write(`\r\x1b[2K${line}`);
        this.drawn = true;
    }
}
