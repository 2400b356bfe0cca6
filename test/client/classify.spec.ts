/**
 * What `classifyError` tells a user, case by case: the advice for each kind of answer, the IDs a
 * message names, the request ID, and how each network failure and non-JSON answer is read (retried
 * or not, sent or not). The messages are the contract here: they are what a failed `pulumi up`
 * shows.
 */
import { strict as assert } from "assert";
import * as $tea from "@alicloud/tea-typescript";
import { EmrApiError, EmrFlowError, EmrNetworkError, EmrResponseError } from "../../provider/client/errors";
import { NEVER_RETRY_CODES, OTHER_RETRYABLE_CODES, SERVER_FAILURE_CODES, ScrubbedError, THROTTLING_CODES, answerProvesNotAccepted, classifyError, isRetryableCode, isThrottlingAnswer, type ErrorContext } from "../../provider/client/classify";
import { Redactor } from "../../provider/client/redact";

const ids: ErrorContext = { action: "DescribeFlowInstance", regionId: "cn-hangzhou", projectId: "FP-1", flowId: "F-1", instanceId: "FI-1", endpoint: "emr.example:8443" };
const bare: ErrorContext = { action: "ListFlow" };

/** An error as openapi-client throws for an HTTP error answer, with `data` exactly as given. */
function answer(data: Record<string, unknown>, extra: Record<string, unknown> = {}): Error {
    return Object.assign($tea.newError({ code: String(data.Code ?? data.code ?? "x"), message: "m", data }), extra);
}
const api = (statusCode: number, code: string, more: Record<string, unknown> = {}, ctx: ErrorContext = bare) => {
    const err = classifyError(answer({ Code: code, Message: "msg", RequestId: "RID", statusCode, ...more }), ctx);
    assert.ok(EmrApiError.isInstance(err), String(err));
    return err;
};
const sys = (code: string, message = `${code} happened`) => Object.assign(new Error(message), { code });
const network = (raw: unknown, ctx: ErrorContext = ids) => {
    const err = classifyError(raw, ctx);
    assert.ok(EmrNetworkError.isInstance(err), String(err));
    return err;
};

describe("isRetryableCode: every code of each list", () => {
    it("never retries the codes retrying cannot fix, even under a 5xx or 429", () => {
        const never = [
            "SignatureDoesNotMatch",
            "IncompleteSignature",
            "InvalidAccessKeyId.NotFound",
            "InvalidAccessKeyId.Inactive",
            "InvalidSecurityToken.Expired",
            "InvalidSecurityToken.Malformed",
            "InvalidSecurityToken.MismatchWithAccessKey",
            "InvalidTimeStamp.Expired",
            "InvalidTimeStamp.Format",
            "MissingParameter",
            "InvalidParameter",
            "Forbidden",
            "Forbidden.RAM",
            "NoPermission",
        ];
        for (const code of never) {
            for (const status of [400, 429, 503]) assert.equal(isRetryableCode(code, status), false, `${code} ${status}`);
        }
        assert.deepEqual([...NEVER_RETRY_CODES].sort(), [...never].sort());
    });

    it("retries throttling and temporary codes whatever the status, even none", () => {
        for (const code of [...THROTTLING_CODES, ...OTHER_RETRYABLE_CODES]) {
            assert.equal(isRetryableCode(code, undefined), true, code);
            assert.equal(isRetryableCode(code, 400), true, code);
        }
        assert.deepEqual([...THROTTLING_CODES].sort(), ["Rejected.Throttling", "Throttling", "Throttling.Api", "Throttling.User", "ThrottlingException"]);
        assert.deepEqual([...OTHER_RETRYABLE_CODES].sort(), ["InternalError", "ServiceUnavailable", "SignatureNonceUsed"]);
    });

    it("takes a code beginning with the word Throttling as throttling, and nothing else", () => {
        assert.equal(isRetryableCode("Throttling.Concurrency", undefined), true);
        assert.equal(isRetryableCode("Api.Throttling", 400), false);
        assert.equal(isRetryableCode("ThrottlingLimitNotSet", 400), false);
        assert.equal(isThrottlingAnswer("Throttling.Concurrency"), true);
        assert.equal(isThrottlingAnswer("Api.Throttling", 400), false);
    });

    it("decides an unknown code by its status: 429 and 500 to 599 only", () => {
        const unknown = (s: number | undefined) => isRetryableCode("SomethingNew", s);
        assert.deepEqual([429, 500, 599].map(unknown), [true, true, true]);
        assert.deepEqual([undefined, 400, 403, 404, 499, 600].map(unknown), [false, false, false, false, false, false]);
    });
});

describe("classifyError: the message of an error answer", () => {
    it("reads: action, IDs, code, status, the service's message, advice, request ID", () => {
        const err = api(400, "InvalidParameter", { Message: "bad conf" }, ids);
        assert.equal(
            err.message,
            "EMR DescribeFlowInstance for instance FI-1, flow F-1, project FP-1, region cn-hangzhou failed with InvalidParameter (HTTP 400): bad conf. Check the project, flow and instance IDs and the flow's conf values. Request ID: RID.",
        );
    });

    it("names only the IDs it has, and none when it has none", () => {
        assert.match(api(400, "InvalidParameter", {}, { action: "SubmitFlow", projectId: "FP-2" }).message, /^EMR SubmitFlow for project FP-2 failed with/);
        assert.match(api(400, "InvalidParameter", {}, { action: "ListFlow", regionId: "cn-beijing" }).message, /^EMR ListFlow for region cn-beijing failed with/);
        assert.match(api(400, "InvalidParameter", {}, { action: "DescribeFlow", flowId: "F-2" }).message, /^EMR DescribeFlow for flow F-2 failed with/);
        assert.match(api(400, "InvalidParameter").message, /^EMR ListFlow failed with InvalidParameter \(HTTP 400\): msg\. /);
    });

    it("leaves out the service's message and the request ID when the answer has none", () => {
        const err = classifyError(answer({ Code: "InvalidParameter", statusCode: 400 }), bare);
        assert.equal(err.message, "EMR ListFlow failed with InvalidParameter (HTTP 400). Check the project, flow and instance IDs and the flow's conf values.");
        assert.equal(err.requestId, undefined);
    });

    it("reads the body's fields in either spelling, and the code from the error when the body has none", () => {
        const lower = classifyError(answer({ code: "Throttling.User", message: "slow", requestId: "rid-2", recommend: "https://diag?q=1", hostId: "h-2", statusCode: 400 }), bare);
        assert.ok(EmrApiError.isInstance(lower));
        assert.deepEqual([lower.code, lower.apiMessage, lower.requestId, lower.recommend, lower.hostId, lower.retryable], ["Throttling.User", "slow", "rid-2", "https://diag?q=1", "h-2", true]);
        const fromError = classifyError(Object.assign(new Error("m"), { code: "Throttling.Api", data: { statusCode: 400 } }), bare);
        assert.ok(EmrApiError.isInstance(fromError));
        assert.equal(fromError.code, "Throttling.Api");
    });

    it("takes the status from the error, else from the body, else from the wire", () => {
        assert.equal(classifyError(answer({ Code: "X", statusCode: 400 }, { statusCode: 503 }), bare).statusCode, 503);
        assert.equal(classifyError(answer({ Code: "X", statusCode: "502" }), bare).statusCode, 502);
        const fromWire = classifyError(answer({ Code: "X" }), { ...bare, statusCode: 504 });
        assert.ok(EmrApiError.isInstance(fromWire));
        assert.equal(fromWire.statusCode, 504);
        assert.equal(fromWire.retryable, true);
    });

    it("takes empty or 'undefined' fields for absent ones, and numbers as text", () => {
        const err = classifyError(answer({ Code: "InvalidParameter", Message: "", RequestId: "undefined", statusCode: 400 }), bare);
        assert.ok(EmrApiError.isInstance(err));
        assert.equal(err.apiMessage, undefined);
        assert.equal(err.requestId, undefined);
        assert.ok(!err.message.includes("Request ID"));
        assert.equal(classifyError(answer({ Code: 1234, RequestId: 42, statusCode: 400 }), bare).code, "1234");
    });

    it("keeps the query of the service's diagnosis link, and scrubs secrets in it", () => {
        const err = api(400, "SomethingElse", { Recommend: "https://api.aliyun.com/troubleshoot?q=SomethingElse&product=Emr&Signature=abc" });
        assert.equal(err.recommend, "https://api.aliyun.com/troubleshoot?q=SomethingElse&product=Emr&Signature=<redacted>");
        assert.ok(err.message.endsWith(`See ${err.recommend} for a diagnosis. Request ID: RID.`), err.message);
    });
});

describe("classifyError: the advice for each kind of answer", () => {
    const creds: ErrorContext = { ...bare, credentialSource: "environment ALIBABA_CLOUD_ACCESS_KEY_ID" };
    const advice = (status: number, code: string, ctx: ErrorContext = bare) => {
        const msg = api(status, code, {}, ctx).message;
        return msg.slice(msg.indexOf(": msg. ") + ": msg. ".length, msg.indexOf(" Request ID: RID."));
    };

    it("throttling: wait, or run fewer at once", () => {
        for (const [status, code] of [[400, "Throttling.User"], [429, "Anything"]] as const) {
            assert.equal(advice(status, code), "The service is throttling requests: wait and try again, or run fewer submissions at once.");
        }
    });

    it("a rejected signature: check the secret, or try v2 behind a rewriting proxy", () => {
        for (const code of ["SignatureDoesNotMatch", "IncompleteSignature"]) {
            assert.equal(advice(400, code, creds), 'The request signature was rejected: check that the AccessKey secret matches the AccessKey ID (credentials from environment ALIBABA_CLOUD_ACCESS_KEY_ID). If a proxy rewrites requests, try signatureVersion "v2".');
        }
        assert.equal(advice(400, "SignatureDoesNotMatch"), 'The request signature was rejected: check that the AccessKey secret matches the AccessKey ID. If a proxy rewrites requests, try signatureVersion "v2".');
    });

    it("an unknown or disabled AccessKey: check it in the RAM console", () => {
        for (const code of ["InvalidAccessKeyId.NotFound", "InvalidAccessKeyId.Inactive"]) {
            assert.equal(advice(404, code, creds), "The AccessKey ID does not exist or is disabled (credentials from environment ALIBABA_CLOUD_ACCESS_KEY_ID): check it in the RAM console.");
        }
    });

    it("a bad STS token: obtain fresh credentials", () => {
        for (const code of ["InvalidSecurityToken.Expired", "InvalidSecurityToken.Malformed", "InvalidSecurityToken.MismatchWithAccessKey"]) {
            assert.equal(advice(400, code, creds), "The STS token is expired or does not match the AccessKey ID (credentials from environment ALIBABA_CLOUD_ACCESS_KEY_ID): obtain fresh STS credentials.");
        }
    });

    it("a rejected time: check the clock", () => {
        for (const code of ["InvalidTimeStamp.Expired", "InvalidTimeStamp.Format"]) {
            assert.equal(advice(400, code), "The request time was rejected: check that this machine's clock is correct (UTC).");
        }
    });

    it("a bad or missing parameter: check the IDs and the conf", () => {
        for (const code of ["MissingParameter", "InvalidParameter"]) assert.equal(advice(400, code), "Check the project, flow and instance IDs and the flow's conf values.");
    });

    it("a reused nonce, and a temporary service problem", () => {
        assert.equal(advice(400, "SignatureNonceUsed"), "The request nonce was reused; a new attempt uses a new one.");
        for (const code of ["ServiceUnavailable", "InternalError"]) assert.equal(advice(400, code), "The EMR service had a temporary problem: try again later.");
        assert.equal(advice(502, "SomeNewBackendError"), "The EMR service had a temporary problem: try again later.");
    });

    it("an action the endpoint does not offer: no ID is at fault, check the endpoint", () => {
        for (const code of ["InvalidAction.NotFound", "InvalidApi.NotFound"]) {
            assert.equal(
                advice(404, code, { action: "SubmitFlow", endpoint: "emr.example:8443" }),
                "emr.example:8443 does not offer SubmitFlow: the service has dropped or never had this action, or the endpoint is not the EMR 2016-04-08 API. No project, flow or instance ID is at fault; check the endpoint setting.",
            );
        }
        assert.match(advice(404, "InvalidAction.NotFound", { action: "SubmitFlow" }), /^The endpoint does not offer SubmitFlow: /);
        assert.doesNotMatch(advice(404, "XInvalidAction.NotFound"), /does not offer/);
        assert.doesNotMatch(advice(404, "InvalidAction.NotFoundYet"), /does not offer/);
    });

    it("no permission: grant the action in RAM", () => {
        const text = "The caller (credentials from environment ALIBABA_CLOUD_ACCESS_KEY_ID) lacks permission for emr:ListFlow: grant it in RAM (for example the AliyunEMRFullAccess policy) or use other credentials.";
        for (const [status, code] of [[403, "SomethingElse"], [400, "Forbidden.Project"], [400, "Forbidden"], [400, "NoPermission"], [400, "EMR.NoPermission"]] as const) {
            assert.equal(advice(status, code, creds), text, `${code} ${status}`);
        }
        assert.match(advice(403, "SomethingElse"), /^The caller lacks permission for emr:ListFlow/);
        assert.doesNotMatch(advice(400, "NotForbidden"), /lacks permission/);
    });

    it("a 404: check that the IDs exist here and the endpoint", () => {
        assert.equal(advice(404, "EMR.Project.NotFound"), "Check that the project, flow or instance exists in this region and that the endpoint is right.");
    });

    it("anything else: the service's diagnosis link, else the inputs", () => {
        assert.equal(advice(400, "SomethingElse"), "Check the inputs named above.");
        assert.equal(advice(499, "SomethingElse"), "Check the inputs named above.");
    });
});

describe("classifyError: a request refused as too large", () => {
    for (const status of [413, 414, 431]) {
        it(`HTTP ${status}: not accepted, not retried, with advice on the conf`, () => {
            const err = classifyError(answer({ Code: "Whatever", RequestId: "RID-L", statusCode: status }), { ...ids, action: "SubmitFlow" });
            assert.ok(EmrApiError.isInstance(err));
            assert.deepEqual([err.code, err.statusCode, err.requestId, err.retryable], ["RequestTooLarge", status, "RID-L", false]);
            assert.equal(
                err.message,
                `EMR SubmitFlow for instance FI-1, flow F-1, project FP-1, region cn-hangzhou was refused as too large (HTTP ${status}) by emr.example:8443: the request was not accepted, so nothing was started. ` +
                    "Its parameters (the conf above all) travel in the URL's query string: shorten them, or pass large values by reference (an OSS path, say). Request ID: RID-L.",
            );
        });
    }

    it("says so without a body, a request ID or an endpoint", () => {
        const err = classifyError(Object.assign(new Error("m"), { statusCode: 414 }), { action: "SubmitFlow" });
        assert.equal(err.code, "RequestTooLarge");
        assert.ok(err.message.includes("by the endpoint:"), err.message);
        assert.ok(err.message.endsWith("(an OSS path, say)."), err.message);
        assert.equal(classifyError(answer({ requestId: "rid-l", statusCode: 413 }), bare).requestId, "rid-l");
    });
});

describe("classifyError: answers that are not JSON", () => {
    const html = () => new SyntaxError("Unexpected token '<'");

    it("retries them under 429 and 500 to 599 or an unknown status, not under other statuses", () => {
        const retried = (statusCode: number | undefined) => classifyError(html(), { ...bare, statusCode }).retryable;
        assert.deepEqual([undefined, 429, 500, 599].map(retried), [true, true, true, true]);
        assert.deepEqual([200, 400, 403, 499, 600].map(retried), [false, false, false, false, false]);
    });

    it("says a temporary one is often a proxy's, and a permanent one to check the endpoint", () => {
        const temporary = classifyError(html(), { ...ids, statusCode: 502, contentType: "text/html; charset=utf-8" });
        assert.ok(EmrResponseError.isInstance(temporary));
        assert.equal(
            temporary.message,
            "EMR DescribeFlowInstance for instance FI-1, flow F-1, project FP-1, region cn-hangzhou got an answer that is not JSON with HTTP 502 (text/html) from emr.example:8443. This usually comes from a proxy or gateway in front of the service and is often temporary.",
        );
        const permanent = classifyError(html(), { ...bare, statusCode: 200 });
        assert.equal(permanent.message, "EMR ListFlow got an answer that is not JSON with HTTP 200 from the endpoint. Check that the endpoint points at the EMR API and not at a web page or a proxy's login page.");
        assert.equal(classifyError(html(), bare).message, "EMR ListFlow got an answer that is not JSON from the endpoint. This usually comes from a proxy or gateway in front of the service and is often temporary.");
    });

    it("knows a SyntaxError by its name too (one made in another realm)", () => {
        const foreign = Object.assign(new Error("Unexpected end of JSON input"), { name: "SyntaxError" });
        assert.equal(classifyError(foreign, bare).code, "NonJsonResponse");
    });
});

describe("classifyError: network failures", () => {
    it("a read timeout: may have been sent; raise readTimeoutMs", () => {
        const err = network(Object.assign(new Error("ReadTimeout(100). POST http://h/ failed."), { name: "RequestTimeoutError" }));
        assert.deepEqual([err.code, err.phase, err.requestMayHaveBeenSent, err.retryable], ["ReadTimeout", "send-or-wait", true, true]);
        assert.equal(
            err.message,
            "EMR DescribeFlowInstance for instance FI-1, flow F-1, project FP-1, region cn-hangzhou timed out waiting for an answer from emr.example:8443. Raise emr-flow:readTimeoutMs if the service is slow, or check the network between this machine and the endpoint.",
        );
    });

    it("a timeout by another name of the same family, and one that never connected", () => {
        assert.equal(network(Object.assign(new Error("x"), { name: "RequestTimeoutErrorV2" })).code, "ReadTimeout");
        const never = network(Object.assign(new Error("ConnectTimeout: Connect http://h/ failed."), { name: "RequestTimeoutError" }), { ...bare, connected: false });
        assert.deepEqual([never.code, never.phase, never.requestMayHaveBeenSent], ["ConnectTimeout", "connect", false]);
        assert.equal(
            never.message,
            "EMR ListFlow could not connect to the endpoint within the connect timeout; nothing was sent. Check that the endpoint is reachable from this machine (proxy, firewall, DNS) and that the endpoint setting is right.",
        );
    });

    it("every code of a connection never made: nothing was sent", () => {
        for (const code of ["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL"]) {
            const err = network(sys(code));
            assert.deepEqual([err.code, err.phase, err.requestMayHaveBeenSent, err.retryable], [code, "connect", false, true], code);
        }
        assert.equal(
            network(sys("EHOSTUNREACH")).message,
            "EMR DescribeFlowInstance for instance FI-1, flow F-1, project FP-1, region cn-hangzhou could not connect to emr.example:8443 (EHOSTUNREACH); nothing was sent. Check that emr.example:8443 is reachable from this machine (proxy, firewall, DNS) and that the endpoint setting is right.",
        );
    });

    it("every code of a name that did not resolve: nothing was sent", () => {
        for (const code of ["ENOTFOUND", "EAI_AGAIN", "EAI_FAIL", "EAI_NODATA", "EAI_NONAME"]) {
            const err = network(sys(code));
            assert.deepEqual([err.code, err.phase, err.requestMayHaveBeenSent, err.retryable], [code, "dns", false, true], code);
        }
        assert.equal(network(sys("EAI_AGAIN"), bare).message, "EMR ListFlow could not resolve the endpoint (EAI_AGAIN); nothing was sent. Check that the endpoint is reachable from this machine (proxy, firewall, DNS) and that the endpoint setting is right.");
    });

    it("every code of a connection lost on the way: it may have been sent", () => {
        for (const code of ["ECONNRESET", "EPIPE", "ETIMEDOUT", "ECONNABORTED", "ERR_STREAM_PREMATURE_CLOSE"]) {
            const err = network(sys(code));
            assert.deepEqual([err.code, err.phase, err.requestMayHaveBeenSent, err.retryable], [code, "send-or-wait", true, true], code);
        }
        assert.equal(
            network(sys("EPIPE"), bare).message,
            "EMR ListFlow: the connection to the endpoint was closed before an answer arrived (EPIPE). Check that the endpoint is reachable from this machine (proxy, firewall, DNS) and that the endpoint setting is right.",
        );
        const hangUp = network(new Error("socket hang up"));
        assert.deepEqual([hangUp.code, hangUp.requestMayHaveBeenSent], ["SocketHangUp", true]);
    });

    it("a lost connection that provably never connected sent nothing", () => {
        const err = network(sys("ECONNRESET"), { ...bare, connected: false });
        assert.deepEqual([err.phase, err.requestMayHaveBeenSent], ["connect", false]);
        assert.equal(err.message, "EMR ListFlow could not connect to the endpoint (ECONNRESET); nothing was sent. Check that the endpoint is reachable from this machine (proxy, firewall, DNS) and that the endpoint setting is right.");
    });

    it("another system error: not retried, and it may have been sent", () => {
        for (const code of ["EPROTO", "ERR_TLS_CERT_ALTNAME_INVALID"]) {
            const err = network(sys(code, `${code}: handshake failed POST http://h/?Signature=abc`), bare);
            assert.deepEqual([err.code, err.phase, err.requestMayHaveBeenSent, err.retryable], [code, "send-or-wait", true, false], code);
            assert.equal(
                err.message,
                `EMR ListFlow failed talking to the endpoint: ${code} ${code}: handshake failed POST http://h/?<query omitted>. Check that the endpoint is reachable from this machine (proxy, firewall, DNS) and that the endpoint setting is right.`,
            );
        }
    });
});

describe("classifyError: anything else", () => {
    it("keeps an unknown code, says what was thrown, and is not retried", () => {
        const err = classifyError(sys("weird_code", "it broke"), bare);
        assert.ok(!EmrNetworkError.isInstance(err) && EmrFlowError.isInstance(err));
        assert.deepEqual([err.code, err.retryable, err.message], ["weird_code", false, "EMR ListFlow failed unexpectedly: it broke"]);
        assert.equal(classifyError(sys("EX1"), bare).code, "EX1", "not a system error code: a digit");
    });

    it("says what a thrown string or object was", () => {
        assert.equal(classifyError("plain text", bare).message, "EMR ListFlow failed unexpectedly: plain text");
        assert.equal(classifyError({ a: 1 }, bare).message, 'EMR ListFlow failed unexpectedly: {"a":1}');
        assert.equal(classifyError(undefined, bare).message, "EMR ListFlow failed unexpectedly: undefined");
        const circular: Record<string, unknown> = {};
        circular.self = circular;
        assert.equal(classifyError(circular, bare).message, "EMR ListFlow failed unexpectedly: [object Object]");
        assert.equal(classifyError(circular, bare).code, "UnexpectedError");
    });
});

describe("ScrubbedError", () => {
    it("copies name, message, code and stack, scrubbed, and nothing else", () => {
        const redactor = new Redactor();
        redactor.add("s3cr3t-value");
        const original = Object.assign(new TypeError("bad s3cr3t-value"), { code: "E_s3cr3t-value", data: { secret: 1 } });
        const copy = new ScrubbedError(original, redactor);
        assert.equal(copy.name, "TypeError");
        assert.equal(copy.message, "bad <redacted>");
        assert.equal(copy.code, "E_<redacted>");
        assert.ok(copy.stack?.startsWith("TypeError: bad <redacted>"), copy.stack);
        assert.ok(!String(copy.stack).includes("s3cr3t-value"));
        assert.equal((copy as unknown as Record<string, unknown>).data, undefined);
    });

    it("takes a numeric code as text, and leaves out an empty one", () => {
        assert.equal(new ScrubbedError(Object.assign(new Error("m"), { code: 503 }), new Redactor()).code, "503");
        assert.ok(!Object.prototype.hasOwnProperty.call(new ScrubbedError(Object.assign(new Error("m"), { code: "" }), new Redactor()), "code"));
    });

    it("names a thrown non-error 'Error' and keeps its text", () => {
        const fromString = new ScrubbedError("text thrown", new Redactor());
        assert.deepEqual([fromString.name, fromString.message], ["Error", "text thrown"]);
        assert.equal(new ScrubbedError({ code: "X", n: 1 }, new Redactor()).message, '{"code":"X","n":1}');
        assert.equal(new ScrubbedError({ code: "X" }, new Redactor()).code, "X");
    });

    it("keeps its own stack when the original has none", () => {
        const original = new Error("m");
        original.stack = undefined;
        const copy = new ScrubbedError(original, new Redactor());
        assert.equal(typeof copy.stack, "string");
        assert.ok(copy.stack!.startsWith("Error: m\n"), copy.stack);
    });
});

describe("classifyError: what is read as an error answer, and the remaining corners", () => {
    it("reads a body's code in either spelling even when the error itself names none", () => {
        for (const data of [{ Code: "Throttling", statusCode: 400 }, { code: "Throttling", statusCode: 400 }]) {
            const err = classifyError(Object.assign(new Error("m"), { data }), bare);
            assert.ok(EmrApiError.isInstance(err), JSON.stringify(data));
            assert.deepEqual([err.code, err.retryable], ["Throttling", true]);
        }
    });

    it("takes a body as an error answer only with a status and a code, and only when it is an object", () => {
        const noStatus = classifyError(Object.assign(new Error("m"), { data: { Code: "Throttling" } }), bare);
        assert.ok(!EmrApiError.isInstance(noStatus));
        const noCode = classifyError(Object.assign(new Error("m"), { data: { statusCode: 500, Message: "x" } }), bare);
        assert.deepEqual([EmrApiError.isInstance(noCode), noCode.code], [false, "UnexpectedError"]);
        const textBody = classifyError(Object.assign(new Error("m"), { code: "Throttling", statusCode: 400, data: "Throttling" }), bare);
        assert.deepEqual([EmrApiError.isInstance(textBody), textBody.code, textBody.retryable], [false, "Throttling", false]);
    });

    it("gives the temporary-problem advice for an unknown code from HTTP 500 on", () => {
        assert.match(api(500, "SomethingNew").message, /\(HTTP 500\): msg\. The EMR service had a temporary problem: try again later\./);
    });

    it("names the endpoint as 'the endpoint' when it does not know it, in a timeout and a refused connection", () => {
        assert.match(network(Object.assign(new Error("ReadTimeout(5)"), { name: "RequestTimeoutError" }), bare).message, /^EMR ListFlow timed out waiting for an answer from the endpoint\. /);
        assert.match(network(sys("ECONNREFUSED"), bare).message, /^EMR ListFlow could not connect to the endpoint \(ECONNREFUSED\)/);
    });

    it("takes as a timeout only a name that begins with RequestTimeout", () => {
        const err = classifyError(Object.assign(new Error("x"), { name: "ProxyRequestTimeout" }), bare);
        assert.deepEqual([EmrNetworkError.isInstance(err), err.code], [false, "UnexpectedError"]);
    });

    it("takes as a system error only a code that is one through and through", () => {
        for (const code of ["EPROTOx", "xEPROTO"]) {
            const err = classifyError(sys(code), bare);
            assert.deepEqual([EmrNetworkError.isInstance(err), err.code], [false, code], code);
        }
    });

    it("keeps a scrubbed copy of what was thrown as the cause of an unexpected error", () => {
        const err = classifyError(new RangeError("out of range"), bare);
        assert.ok(err.cause instanceof ScrubbedError);
        assert.deepEqual([err.cause.name, err.cause.message, err.retryable], ["RangeError", "out of range", false]);
    });
});

describe("ScrubbedError: the stack", () => {
    it("is the original's, scrubbed, frame for frame", () => {
        const redactor = new Redactor();
        redactor.add("s3cr3t-value");
        const original = new TypeError("bad s3cr3t-value");
        original.stack = "TypeError: bad s3cr3t-value\n    at caller (/app/x.js:1:2)";
        assert.equal(new ScrubbedError(original, redactor).stack, "TypeError: bad <redacted>\n    at caller (/app/x.js:1:2)");
    });

    it("is its own when the original's is not text", () => {
        const original = new Error("m");
        (original as { stack: unknown }).stack = 42;
        const copy = new ScrubbedError(original, new Redactor());
        assert.equal(typeof copy.stack, "string");
        assert.ok(copy.stack!.startsWith("Error: m\n"), copy.stack);
    });
});

describe("answerProvesNotAccepted: every server-failure code", () => {
    it("proves nothing under a 4xx either", () => {
        const codes = ["InternalError", "InternalServerError", "ServiceUnavailable", "ServiceTimeout", "UnknownError", "Timeout"];
        for (const code of codes) assert.equal(answerProvesNotAccepted(code, 400), false, code);
        assert.deepEqual([...SERVER_FAILURE_CODES].sort(), [...codes].sort());
    });
});

describe("answerProvesNotAccepted: the edges of the 4xx range", () => {
    it("takes 400 to 499 but 408 as a rejection, and nothing below 400", () => {
        assert.deepEqual([400, 404, 499].map((s) => answerProvesNotAccepted("SomethingElse", s)), [true, true, true]);
        assert.deepEqual([200, 302, 399, 408, 500].map((s) => answerProvesNotAccepted("SomethingElse", s)), [false, false, false, false, false]);
    });
});
