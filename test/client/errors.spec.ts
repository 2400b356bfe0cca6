import { strict as assert } from "assert";
import * as util from "util";
import * as $tea from "@alicloud/tea-typescript";
import { CredentialsError, EmrApiError, EmrConfigError, EmrFlowError, EmrNetworkError, EmrResponseError, SubmissionOutcomeUnknownError, isInstanceNotFoundError, isNotFoundError } from "../../provider/client/errors";
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

describe("error classes: what each one carries", () => {
    it("carries only the options given, as own properties, and is not retryable unless told", () => {
        const bare = new EmrFlowError("X", "m");
        assert.equal(bare.retryable, false);
        for (const key of ["statusCode", "requestId", "attempts", "cause"]) assert.ok(!Object.prototype.hasOwnProperty.call(bare, key), key);
        const cause = new Error("inner");
        const full = new EmrFlowError("X", "m", { statusCode: 502, requestId: "R-9", retryable: true, attempts: 3, cause });
        assert.deepEqual([full.statusCode, full.requestId, full.retryable, full.attempts, full.cause], [502, "R-9", true, 3, cause]);
    });

    it("keeps the cause read-only and out of enumeration", () => {
        const cause = new Error("inner");
        const err = new EmrFlowError("X", "m", { cause });
        assert.deepEqual(Object.getOwnPropertyDescriptor(err, "cause"), { value: cause, enumerable: false, writable: false, configurable: true });
        assert.throws(() => {
            (err as unknown as { cause: unknown }).cause = new Error("other");
        }, TypeError);
    });

    it("does not pass its brand on to a plain copy", () => {
        const err = new EmrApiError("Throttling", "m", { statusCode: 400, retryable: true });
        assert.ok(!EmrFlowError.isInstance({ ...err }));
        assert.ok(!EmrApiError.isInstance({ ...err, name: "EmrApiError" }));
    });

    it("recognises nothing that is not an object without throwing", () => {
        for (const value of [undefined, null, "EmrFlowError", 42, true, Symbol("x")]) {
            assert.equal(EmrFlowError.isInstance(value), false, String(value));
            assert.equal(EmrApiError.isInstance(value), false, String(value));
        }
    });

    it("tells each class from the others, and from look-alikes without the brand", () => {
        const made = {
            EmrFlowError: new EmrFlowError("X", "m"),
            EmrApiError: new EmrApiError("Throttling", "m", { statusCode: 400 }),
            EmrNetworkError: new EmrNetworkError("ECONNRESET", "m", { phase: "send-or-wait", requestMayHaveBeenSent: true }),
            EmrResponseError: new EmrResponseError("NonJsonResponse", "m"),
            SubmissionOutcomeUnknownError: new SubmissionOutcomeUnknownError({ regionId: "r", projectId: "p", flowId: "f", windowStart: 0, windowEnd: 1, reason: "x" }),
            CredentialsError: new CredentialsError("CredentialsNotFound", "m", []),
            EmrConfigError: new EmrConfigError("MissingRegion", "m"),
        };
        const classes = { EmrApiError, EmrNetworkError, EmrResponseError, SubmissionOutcomeUnknownError, CredentialsError, EmrConfigError };
        for (const [className, cls] of Object.entries(classes)) {
            for (const [madeName, value] of Object.entries(made)) {
                assert.equal(cls.isInstance(value), className === madeName, `${className}.isInstance(${madeName})`);
                assert.ok(EmrFlowError.isInstance(value), madeName);
            }
            const lookAlike = Object.assign(new Error("m"), { name: className, code: "X", retryable: true });
            assert.equal(cls.isInstance(lookAlike), false, `${className} look-alike`);
        }
    });

    it("EmrApiError carries the service's message, recommendation and host only when given", () => {
        const bare = new EmrApiError("X", "m", {});
        for (const key of ["apiMessage", "recommend", "hostId"]) assert.ok(!Object.prototype.hasOwnProperty.call(bare, key), key);
        const full = new EmrApiError("X", "m", { apiMessage: "a", recommend: "https://r", hostId: "h" });
        assert.deepEqual([full.apiMessage, full.recommend, full.hostId], ["a", "https://r", "h"]);
    });

    it("CredentialsError is never retryable, keeps its other options, and owns a copy of the places looked at", () => {
        const places = ["stack config alicloud:accessKey", "environment ALIBABA_CLOUD_ACCESS_KEY_ID"];
        const e = new CredentialsError("CredentialsUnavailable", "m", places, { retryable: true, requestId: "R-1", attempts: 2 });
        assert.equal(e.retryable, false);
        assert.equal(e.requestId, "R-1");
        assert.equal(e.attempts, 2);
        places.push("later");
        assert.deepEqual(e.lookedAt, ["stack config alicloud:accessKey", "environment ALIBABA_CLOUD_ACCESS_KEY_ID"]);
    });

    it("EmrConfigError is never retryable and names its setting only when given", () => {
        const named = new EmrConfigError("InvalidEndpoint", "m", "emr-flow:endpoint");
        assert.equal(named.setting, "emr-flow:endpoint");
        assert.equal(named.retryable, false);
        assert.ok(!Object.prototype.hasOwnProperty.call(new EmrConfigError("MissingRegion", "m"), "setting"));
    });

    it("SubmissionOutcomeUnknownError keeps its cause and attempts", () => {
        const cause = new Error("reset");
        const e = new SubmissionOutcomeUnknownError({ regionId: "r", projectId: "p", flowId: "f", windowStart: 0, windowEnd: 1, reason: "x", cause, attempts: 2 });
        assert.equal(e.cause, cause);
        assert.equal(e.attempts, 2);
        assert.deepEqual([e.regionId, e.projectId, e.flowId, e.windowStart, e.windowEnd], ["r", "p", "f", 0, 1]);
    });
});

describe("isNotFoundError: each reason it gives", () => {
    const api = (status: number | undefined, code: string, apiMessage?: string) => new EmrApiError(code, "m", { statusCode: status, apiMessage });

    it("is true for a not-found code, whatever the status or message", () => {
        for (const code of ["EMR.Flow.NotExist", "EMR.Project.NonExistent", "FlowInstance.notfound"]) assert.equal(isNotFoundError(api(400, code)), true, code);
    });

    it("is true for a message saying something does not exist", () => {
        for (const message of ["project not exists", "flow not found", "The flow doesn't exist.", "the instance does not exist", "it does not exists", "no such flow"]) {
            assert.equal(isNotFoundError(api(400, "InvalidParameter", message)), true, message);
        }
        assert.equal(isNotFoundError(api(400, "InvalidParameter", "nothing here is missing")), false);
    });

    it("is true for a bare 404 and false for other statuses or none", () => {
        assert.equal(isNotFoundError(api(404, "Gone")), true);
        assert.equal(isNotFoundError(api(410, "Gone")), false);
        assert.equal(isNotFoundError(api(undefined, "Gone")), false);
    });

    it("is false for an unknown AccessKey or STS token, and for an unknown action, whatever the message or status", () => {
        for (const code of ["InvalidAccessKeyId.NotFound", "InvalidSecurityToken.NotFound", "InvalidAction.NotFound", "InvalidApi.NotFound"]) {
            assert.equal(isNotFoundError(api(404, code, "Specified key is not found.")), false, code);
        }
    });

    it("reads those exclusions at the start of the code only", () => {
        assert.equal(isNotFoundError(api(404, "EMR.InvalidAccessKeyIdBinding.NotFound")), true);
        assert.equal(isNotFoundError(api(404, "EMR.InvalidAction.NotFound")), true);
    });
});

describe("isNotFoundError and isInstanceNotFoundError: only service answers, read exactly", () => {
    const api = (status: number | undefined, code: string, apiMessage?: string) => new EmrApiError(code, "m", { statusCode: status, apiMessage });

    it("never take a local error for an answer, whatever its code says", () => {
        assert.equal(isNotFoundError(new EmrNetworkError("ENOTFOUND", "getaddrinfo ENOTFOUND emr.example", { phase: "dns", requestMayHaveBeenSent: false })), false);
        assert.equal(isInstanceNotFoundError(new EmrFlowError("FlowInstance.NotFound", "m")), false);
    });

    it("carry the brand under the registry symbol every copy of the package shares", () => {
        assert.ok(Object.getOwnPropertySymbols(new EmrFlowError("X", "m")).includes(Symbol.for("pulumi-emr-flow:EmrFlowError")));
        assert.equal(EmrFlowError.isInstance({ [Symbol.for("")]: true }), false);
    });

    it("an instance code is believed up to HTTP 499, never from a 5xx", () => {
        assert.equal(isInstanceNotFoundError(api(499, "FlowInstance.NotFound")), true);
        assert.equal(isInstanceNotFoundError(api(500, "FlowInstance.NotFound")), false);
    });

    it("an instance code is read with or without the dot, NotExist or NotExists, and must end the code", () => {
        for (const code of ["EMR.FlowInstanceNotFound", "FlowInstance.NotExist", "FlowInstance.NotExists"]) assert.equal(isInstanceNotFoundError(api(400, code)), true, code);
        assert.equal(isInstanceNotFoundError(api(400, "Instance.NotFoundInProject")), false);
    });

    it("a flow not found (with or without the dot) is not an instance not found, whatever the message", () => {
        assert.equal(isInstanceNotFoundError(api(400, "EMR.FlowNotFound", "flow instance not found")), false);
    });

    it("without a code naming it, the message must name an instance and say it is missing", () => {
        assert.equal(isInstanceNotFoundError(api(400, "InvalidParameter", "the instance is still running")), false);
        for (const message of ["flow instance not exist", "The instance doesn't exist"]) assert.equal(isInstanceNotFoundError(api(400, "InvalidParameter", message)), true, message);
    });
});
