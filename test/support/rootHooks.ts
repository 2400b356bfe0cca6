/**
 * Every test starts with a fresh process-wide rate limiter, as every provider host process does:
 * a test that meets throttling must not slow the tests after it down.
 */
import { resetProcessRateLimiter } from "../../provider/client/throttle";

export const mochaHooks = {
    afterEach(): void {
        resetProcessRateLimiter();
    },
};
