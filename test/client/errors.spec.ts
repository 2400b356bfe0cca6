import { strict as assert } from "assert";
import * as util from "util";
import * as $tea from "@alicloud/tea-typescript";
import { CredentialsError, EmrApiError, EmrConfigError, EmrFlowError, EmrNetworkError, EmrResponseError, SubmissionOutcomeUnknownError, isNotFoundError } from "../../provider/client/errors";
import { classifyError, isRetryableCode, type ErrorContext } from "../../provider/client/classify";
import { Redactor, REDACTED } from "../../provider/client/redact";

const SECRET = "errors-spec-AccessKeySecret-9f8e7d";
const TOKEN = "CAIS+errors/spec=STS-token-1a2b3c";

const ctx: ErrorContext = { action: "DescribeFlowInstance", regionId: "cn-hangzhou", projectId: "FP-D3M0000000000001", instanceId: "FI-0000000000000042", endpoint: "emr.aliyuncs.com" };

/** An error exactly as @alicloud/openapi-client 0.4.15 throws for an HTTP error answer. */
function apiError(statusCode: number, body: Record<string, unknown>): Error {
    const err: Record<string, unknown> = { ...body, statusCode };
    return $tea.newError({
        code: `${body.Code}`,
        message: `code: ${statusCode}, ${body.Message} request id: ${body.RequestId}`,
        data: err,
        description: "undefined",
    });
}

function systemError(code: string, message: string): Error {
    return Object.assign(new Error(message), { code });
}

function everyRendering(err: unknown): string[] {
    const e = err as Error;
    return [e.message, String(e.stack), JSON.stringify(e), util.inspect(e, { depth: 10, showHidden: true }), util.inspect((e as EmrFlowError).cause, { depth: 10, showHidden: true })];
}

describe("classifyError: service error answers", () => {
    const retryable = ["Throttling", "Throttling.User", "Throttling.Api", "Rejected.Throttling", "ServiceUnavailable", "InternalError", "SignatureNonceUsed"];
    const statusOf: Record<string, number> = { ServiceUnavailable: 503, InternalError: 500, SignatureNonceUsed: 400 };
    for (const code of retryable) {
        it(`retries ${code}`, () => {
            const err = classifyError(apiError(statusOf[code] ?? 400, { Code: code, Message: "m", RequestId: "RID-1" }), ctx);
            assert.ok(EmrApiError.isInstance(err));
            assert.equal(err.code, code);
            assert.equal(err.retryable, true);
        });
    }

    const permanent: [string, number][] = [
        ["SignatureDoesNotMatch", 400],
        ["IncompleteSignature", 400],
        ["InvalidAccessKeyId.NotFound", 404],
        ["InvalidTimeStamp.Expired", 400],
        ["MissingParameter", 400],
        ["InvalidParameter", 400],
        ["Forbidden.RAM", 403],
        ["NoPermission", 403],
        ["SomethingElse", 403],
        ["SomethingElse", 400],
    ];
    for (const [code, status] of permanent) {
        it(`does not retry ${code} (HTTP ${status})`, () => {
            const err = classifyError(apiError(status, { Code: code, Message: "m", RequestId: "RID-2" }), ctx);
            assert.ok(EmrApiError.isInstance(err));
            assert.equal(err.retryable, false);
        });
    }

    it("decides by Code, not status: a 500 with a signature code is not retried, an unknown 5xx is", () => {
        assert.equal(isRetryableCode("SignatureDoesNotMatch", 500), false);
        assert.equal(isRetryableCode("SomeNewBackendError", 502), true);
        assert.equal(isRetryableCode("Throttling.Concurrency", 400), true);
    });

    it("says what failed, for which IDs, with the request ID and advice", () => {
        const err = classifyError(
            apiError(404, { Code: "InvalidAccessKeyId.NotFound", Message: "Specified access key is not found.", RequestId: "RID-3", HostId: "emr.aliyuncs.com", Recommend: "https://api.aliyun.com/troubleshoot?q=x" }),
            { ...ctx, credentialSource: "stack config alicloud:accessKey" },
        );
        assert.ok(EmrApiError.isInstance(err));
        assert.equal(err.statusCode, 404);
        assert.equal(err.requestId, "RID-3");
        assert.equal(err.hostId, "emr.aliyuncs.com");
        assert.equal(err.recommend, "https://api.aliyun.com/troubleshoot?q=x");
        assert.equal(err.apiMessage, "Specified access key is not found.");
        for (const part of ["DescribeFlowInstance", "FI-0000000000000042", "FP-D3M0000000000001", "RID-3", "stack config alicloud:accessKey", "RAM console"]) {
            assert.ok(err.message.includes(part), `${part} missing from: ${err.message}`);
        }
        assert.equal(isNotFoundError(err), false, "a missing AccessKey is not a missing instance");
    });

    it("recognises a missing project or instance", () => {
        assert.ok(isNotFoundError(classifyError(apiError(400, { Code: "InvalidParameter", Message: "project not exist", RequestId: "R" }), ctx)));
        assert.ok(isNotFoundError(classifyError(apiError(404, { Code: "FlowInstance.NotFound", Message: "x", RequestId: "R" }), ctx)));
        assert.ok(!isNotFoundError(classifyError(apiError(400, { Code: "InvalidParameter", Message: "bad", RequestId: "R" }), ctx)));
        assert.ok(!isNotFoundError(new Error("not found")));
    });

    it("scrubs secrets the service quotes back (a v2 string-to-sign)", () => {
        const redactor = new Redactor();
        redactor.add(SECRET);
        redactor.add(TOKEN);
        const quoted = `Specified signature is not matched with our calculation. server string to sign is:POST&%2F&AccessKeyId%3DAK%26SecurityToken%3D${encodeURIComponent(encodeURIComponent(TOKEN))}%26Signature%3Dabc%26SignatureMethod%3DHMAC-SHA1 secret ${SECRET}`;
        const err = classifyError(apiError(400, { Code: "SignatureDoesNotMatch", Message: quoted, RequestId: "RID-4" }), { ...ctx, redactor });
        for (const text of everyRendering(err)) {
            assert.ok(!text.includes(SECRET), text);
            assert.ok(!text.includes(TOKEN), text);
            assert.ok(!text.includes(encodeURIComponent(TOKEN)), text);
            assert.ok(!text.includes(encodeURIComponent(encodeURIComponent(TOKEN))), text);
        }
        assert.ok(err.message.includes(REDACTED));
    });

    it("keeps the original only as a scrubbed copy without the request data", () => {
        const raw = apiError(500, { Code: "InternalError", Message: "boom", RequestId: "RID-5" });
        const err = classifyError(raw, ctx);
        assert.ok(err.cause instanceof Error);
        assert.notEqual(err.cause, raw);
        assert.equal((err.cause as unknown as Record<string, unknown>).data, undefined);
        assert.ok(!Object.keys(err).includes("cause"), "cause is not enumerable");
    });
});

describe("classifyError: non-JSON answers", () => {
    it("turns a SyntaxError with a 502 seen on the wire into a retryable EmrResponseError", () => {
        let syntax: unknown;
        try {
            JSON.parse("<html><body>502 Bad Gateway</body></html>");
        } catch (e) {
            syntax = e;
        }
        const err = classifyError(syntax, { ...ctx, statusCode: 502, contentType: "text/html; charset=utf-8" });
        assert.ok(EmrResponseError.isInstance(err));
        assert.equal(err.code, "NonJsonResponse");
        assert.equal(err.statusCode, 502);
        assert.equal(err.retryable, true);
        assert.match(err.message, /not JSON with HTTP 502 \(text\/html\)/);
    });

    it("does not retry a non-JSON 4xx (a login page, a WAF block)", () => {
        const err = classifyError(new SyntaxError("Unexpected token '<'"), { ...ctx, statusCode: 403 });
        assert.equal(err.retryable, false);
    });

    it("treats a non-JSON answer with unknown status as retryable", () => {
        assert.equal(classifyError(new SyntaxError("Unexpected token '<'"), ctx).retryable, true);
    });
});

describe("classifyError: network errors", () => {
    it("knows a refused connection sent nothing", () => {
        const err = classifyError(systemError("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:9POST http://127.0.0.1:9/?SecurityToken=abc failed."), ctx);
        assert.ok(EmrNetworkError.isInstance(err));
        assert.equal(err.code, "ECONNREFUSED");
        assert.equal(err.retryable, true);
        assert.equal(err.requestMayHaveBeenSent, false);
        assert.equal(err.phase, "connect");
    });

    it("knows a DNS failure sent nothing", () => {
        const err = classifyError(systemError("ENOTFOUND", "getaddrinfo ENOTFOUND x"), ctx);
        assert.ok(EmrNetworkError.isInstance(err));
        assert.equal(err.requestMayHaveBeenSent, false);
        assert.equal(err.phase, "dns");
    });

    it("treats resets, hang-ups and timeouts as possibly sent", () => {
        const cases: [Error, string][] = [
            [systemError("ECONNRESET", "read ECONNRESET"), "ECONNRESET"],
            [systemError("ECONNRESET", "socket hang up"), "SocketHangUp"],
            [systemError("ETIMEDOUT", "connect ETIMEDOUT"), "ETIMEDOUT"],
            [Object.assign(new Error("ReadTimeout(100). POST http://h/ failed."), { name: "RequestTimeoutError" }), "ReadTimeout"],
            [Object.assign(new Error("ConnectTimeout: Connect http://h/ failed."), { name: "RequestTimeoutError" }), "ConnectTimeout"],
        ];
        for (const [raw, code] of cases) {
            const err = classifyError(raw, ctx);
            assert.ok(EmrNetworkError.isInstance(err), code);
            assert.equal(err.code, code);
            assert.equal(err.retryable, true);
            assert.equal(err.requestMayHaveBeenSent, true, code);
        }
    });

    it("believes the wire over the name: a 'ConnectTimeout' that never connected sent nothing", () => {
        const raw = Object.assign(new Error("ConnectTimeout: Connect http://h/ failed."), { name: "RequestTimeoutError" });
        const err = classifyError(raw, { ...ctx, connected: false });
        assert.ok(EmrNetworkError.isInstance(err));
        assert.equal(err.requestMayHaveBeenSent, false);
        assert.equal(err.phase, "connect");
    });

    it("drops the query string (v2 puts the STS token there) from the cause", () => {
        const url = `http://127.0.0.1:9/?Action=SubmitFlow&SecurityToken=${encodeURIComponent(TOKEN)}&Signature=abc%3D&AccessKeyId=AK`;
        const raw = systemError("ECONNRESET", `socket hang up POST ${url} failed.`);
        const err = classifyError(raw, ctx);
        for (const text of everyRendering(err)) {
            assert.ok(!text.includes(encodeURIComponent(TOKEN)), text);
            assert.ok(!text.includes("Signature=abc"), text);
        }
    });
});

describe("error classes", () => {
    it("pass through classifyError unchanged", () => {
        const e = new CredentialsError("CredentialsNotFound", "none", ["a"]);
        assert.equal(classifyError(e, ctx), e);
    });

    it("are recognised across copies by brand, not instanceof", () => {
        const e: unknown = new EmrConfigError("MissingRegion", "x");
        assert.ok(EmrFlowError.isInstance(e));
        assert.ok(EmrConfigError.isInstance(e));
        assert.ok(!EmrApiError.isInstance(e));
        assert.ok(!EmrFlowError.isInstance(new Error("x")));
        assert.ok(!EmrFlowError.isInstance({ code: "x", retryable: true }));
        assert.equal((e as Error).name, "EmrConfigError");

        // A second copy of the module, as when a program and the provider host load the package
        // from different places.
        const file = require.resolve("../../provider/client/errors");
        const first = require.cache[file];
        delete require.cache[file];
        try {
            const copy = require("../../provider/client/errors") as typeof import("../../provider/client/errors");
            assert.notEqual(copy.EmrApiError, EmrApiError);
            const other = new copy.EmrApiError("Throttling", "m", { statusCode: 400 });
            assert.ok(!(other instanceof EmrApiError));
            assert.ok(EmrApiError.isInstance(other));
            assert.ok(EmrFlowError.isInstance(other));
        } finally {
            if (first) require.cache[file] = first;
        }
    });

    it("SubmissionOutcomeUnknownError names the flow, the window and what to check", () => {
        const e = new SubmissionOutcomeUnknownError({
            regionId: "cn-hangzhou",
            projectId: "FP-D3M0000000000001",
            flowId: "F-D3M0000000000001",
            windowStart: Date.UTC(2024, 0, 1, 0, 0, 0),
            windowEnd: Date.UTC(2024, 0, 1, 0, 0, 31),
            reason: "the request timed out",
        });
        assert.equal(e.code, "SubmissionOutcomeUnknown");
        assert.equal(e.retryable, false);
        for (const part of ["FP-D3M0000000000001", "F-D3M0000000000001", "2024-01-01T00:00:00.000Z", "2024-01-01T00:00:31.000Z", "ListFlowInstance", "console", "second run"]) {
            assert.ok(e.message.includes(part), part);
        }
    });

    it("wraps anything unexpected without leaking it", () => {
        const redactor = new Redactor();
        redactor.add(SECRET);
        const err = classifyError({ weird: SECRET }, { ...ctx, redactor });
        assert.equal(err.code, "UnexpectedError");
        for (const text of everyRendering(err)) assert.ok(!text.includes(SECRET), text);
    });
});
