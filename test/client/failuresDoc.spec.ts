/**
 * The README's "Failures and retries" says, per action, what is retried and what is not; these
 * tests hold it to what the client does: on SubmitFlow an HTML 502 from a proxy and a JSON 5xx are
 * both an unknown outcome (never retried), throttling (a code or HTTP 429) is retried, reads retry
 * both 5xx, and a 431 is "too large, not accepted".
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { classifyError } from "../../provider/client/classify";
import { EmrApiError, SubmissionOutcomeUnknownError } from "../../provider/client/errors";
import { retryPolicy, withRetry, type CallKind } from "../../provider/client/retry";

const README = fs.readFileSync(path.resolve(__dirname, "..", "..", "README.md"), "utf8");
const start = README.indexOf("## Failures and retries\n");
assert.ok(start >= 0, "the README has a Failures and retries section");
/** The section, up to the next heading of its level (whichever section follows it). */
const section = README.slice(start, README.indexOf("\n## ", start + 1));

/** Runs `withRetry` over answers that fail with `raw` (then succeed), returning the attempts made or the error. */
async function attempts(kind: CallKind, raw: () => unknown, ctx: { statusCode?: number; contentType?: string } = {}): Promise<number | Error> {
    let n = 0;
    try {
        await withRetry(
            async () => {
                n++;
                if (n === 1) throw raw();
                return "ok";
            },
            {
                kind,
                policy: retryPolicy(),
                deps: { sleep: async () => undefined, now: () => 0, random: () => 0 },
                context: { action: kind === "submit" ? "SubmitFlow" : "DescribeFlowInstance", projectId: "FP-0123456789ABCDEF", flowId: "F-0123456789ABCDEF", ...ctx },
            },
        );
        return n;
    } catch (err) {
        return err as Error;
    }
}

const jsonError = (status: number, code: string) => Object.assign(new Error(code), { code, data: { Code: code, Message: "x", RequestId: "r", statusCode: status } });
const html = () => new SyntaxError("Unexpected token '<'");

describe("README: failures and retries, per action", () => {
    it("names every action the client has", () => {
        for (const action of ["SubmitFlow", "DescribeFlowInstance", "ListFlowInstance", "KillFlow", "KillFlowJob", "StartFlow", "RerunFlow", "SuspendFlow", "ResumeFlow", "ListFlowProject", "ListFlow", "DescribeFlow"]) {
            assert.match(section, new RegExp(`\\b${action}\\b`), `the section says nothing of ${action}`);
        }
    });

    it("says an HTML 502 on SubmitFlow is an unknown outcome, and it is", async () => {
        assert.match(section, /\| SubmitFlow \|[^\n]*not JSON, even a 5xx such as a proxy's HTML 502[^\n]*outcome is unknown/);
        const err = await attempts("submit", html, { statusCode: 502, contentType: "text/html" });
        assert.ok(SubmissionOutcomeUnknownError.isInstance(err), String(err));
    });

    it("says a JSON 5xx on SubmitFlow is an unknown outcome, and it is; reads retry it and the HTML 502", async () => {
        assert.match(section, /\| SubmitFlow \|[^|\n]*\|[^|\n]*a JSON 5xx or a server-failure `Code` \(`InternalError`, `ServiceUnavailable` under any status but 429[^|\n]*outcome is unknown/);
        for (const [status, code] of [[503, "ServiceUnavailable"], [500, "InternalError"], [400, "ServiceUnavailable"]] as const) {
            const err = await attempts("submit", () => jsonError(status, code));
            assert.ok(SubmissionOutcomeUnknownError.isInstance(err), `${code}/${status}: ${String(err)}`);
            assert.equal(err.attempts, 1, `${code}/${status} was sent once`);
        }
        assert.match(section, /\| DescribeFlowInstance, ListFlowInstance \| throttling, any 5xx \(JSON or not\)/);
        assert.equal(await attempts("read", () => jsonError(503, "ServiceUnavailable")), 2);
        assert.equal(await attempts("read", html, { statusCode: 502, contentType: "text/html" }), 2);
    });

    it("says throttling on SubmitFlow (a code, or HTTP 429 under any code) is retried, and it is", async () => {
        assert.match(section, /\| SubmitFlow \| only when the service provably did not accept it: a throttling answer \([^)]*`ThrottlingException`[^)]*HTTP 429, under any status\)/);
        assert.equal(await attempts("submit", () => jsonError(400, "Throttling.User")), 2);
        assert.equal(await attempts("submit", () => jsonError(503, "Throttling")), 2);
        assert.equal(await attempts("submit", () => jsonError(400, "ThrottlingException")), 2);
        assert.equal(await attempts("submit", () => jsonError(429, "ServiceUnavailable")), 2);
    });

    it("says the project and flow lookups are reads retried like DescribeFlowInstance", async () => {
        assert.match(section, /\| ListFlowProject, ListFlow, DescribeFlow \| reads, as DescribeFlowInstance: throttling, any 5xx \(JSON or not\)/);
        assert.equal(await attempts("read", () => jsonError(503, "ServiceUnavailable")), 2);
    });

    it("says InvalidAction.NotFound (no such action, as for KillFlow) is never retried, and it is not", async () => {
        assert.match(section, /\| KillFlow, KillFlowJob, StartFlow,[^\n]*`InvalidAction\.NotFound`[^\n]*is never retried/);
        const err = await attempts("mutation", () => jsonError(404, "InvalidAction.NotFound"));
        assert.ok(EmrApiError.isInstance(err), String(err));
        assert.equal(err.code, "InvalidAction.NotFound");
        assert.equal(err.retryable, false);
    });

    it("says 431 is too large and not accepted, and classifies it so", () => {
        assert.match(section, /HTTP 413, 414 or 431[^.]*refused before it was\s+read: it was not accepted/);
        const err = classifyError(html(), { action: "SubmitFlow", statusCode: 431, contentType: "text/html" });
        assert.ok(EmrApiError.isInstance(err));
        assert.equal(err.code, "RequestTooLarge");
        assert.equal(err.retryable, false);
    });
});
