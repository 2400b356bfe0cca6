import type { WaitClock } from "../../provider/runs/waiter";

/** A clock whose sleep advances time at once, so waits of hours run in milliseconds. */
export class FakeClock implements WaitClock {
    public sleeps: number[] = [];
    constructor(
        public time = Date.UTC(2026, 10, 28, 0, 0, 0),
        private readonly randomValue = 0.5,
    ) {}
    now(): number {
        return this.time;
    }
    async sleep(ms: number): Promise<void> {
        this.sleeps.push(ms);
        this.time += ms;
    }
    random(): number {
        return this.randomValue;
    }
}
