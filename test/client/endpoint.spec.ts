import { strict as assert } from "assert";
import {
    KNOWN_REGIONS,
    SHARED_ENDPOINT,
    SHARED_ENDPOINT_REGIONS,
    endpointForRegion,
    isKnownRegion,
    isValidRegionId,
    parseEndpointOverride,
    resolveEndpoint,
} from "../../provider/client/endpoint";
import { EmrConfigError } from "../../provider/client/errors";

describe("endpointForRegion", () => {
    it("sends the shared regions to emr.aliyuncs.com", () => {
        for (const region of ["cn-hangzhou", "cn-shanghai", "cn-beijing", "cn-shenzhen", "ap-southeast-1", "us-west-1", "cn-hangzhou-finance", "cn-shenzhen-finance-1", "cn-shanghai-finance-1"]) {
            assert.equal(endpointForRegion(region), SHARED_ENDPOINT, region);
        }
        assert.equal(SHARED_ENDPOINT_REGIONS.length, 9);
    });

    it("sends every other region to emr.<region>.aliyuncs.com", () => {
        assert.equal(endpointForRegion("cn-qingdao"), "emr.cn-qingdao.aliyuncs.com");
        assert.equal(endpointForRegion("eu-central-1"), "emr.eu-central-1.aliyuncs.com");
        assert.equal(endpointForRegion("ap-northeast-1"), "emr.ap-northeast-1.aliyuncs.com");
    });

    it("rejects a malformed region ID with an InvalidRegion error", () => {
        for (const bad of ["", "CN-HANGZHOU", "hangzhou", "cn_hangzhou", "cn-hangzhou/../x", "emr.aliyuncs.com"]) {
            assert.throws(() => endpointForRegion(bad), (e: unknown) => EmrConfigError.isInstance(e) && e.code === "InvalidRegion", bad);
        }
    });
});

describe("region checks", () => {
    it("accepts region-shaped IDs and rejects others", () => {
        assert.ok(isValidRegionId("cn-hangzhou"));
        assert.ok(isValidRegionId("cn-shenzhen-finance-1"));
        assert.ok(isValidRegionId("xx-new-9"));
        assert.ok(!isValidRegionId("cn"));
        assert.ok(!isValidRegionId("Cn-hangzhou"));
        assert.ok(!isValidRegionId("cn-hangzhou "));
    });

    it("knows the current regions, all well formed and without duplicates", () => {
        for (const region of KNOWN_REGIONS) assert.ok(isValidRegionId(region), region);
        assert.equal(new Set(KNOWN_REGIONS).size, KNOWN_REGIONS.length);
        for (const region of SHARED_ENDPOINT_REGIONS) assert.ok(isKnownRegion(region), region);
        assert.ok(isKnownRegion("me-central-1"));
        assert.ok(!isKnownRegion("mars-north-1"));
    });
});

describe("parseEndpointOverride", () => {
    it("takes a bare host as HTTPS", () => {
        assert.deepEqual(parseEndpointOverride("emr-vpc.cn-hangzhou.aliyuncs.com", "s"), { host: "emr-vpc.cn-hangzhou.aliyuncs.com", protocol: "https", source: "s" });
    });

    it("keeps a port", () => {
        assert.deepEqual(parseEndpointOverride("gw.example.com:8443"), { host: "gw.example.com:8443", protocol: "https", source: "endpoint" });
    });

    it("turns http://host:port into plain HTTP to that address", () => {
        assert.deepEqual(parseEndpointOverride("http://127.0.0.1:18080"), { host: "127.0.0.1:18080", protocol: "http", source: "endpoint" });
        assert.deepEqual(parseEndpointOverride("HTTP://127.0.0.1:18080/"), { host: "127.0.0.1:18080", protocol: "http", source: "endpoint" });
    });

    it("accepts https:// URLs and bracketed IPv6", () => {
        assert.equal(parseEndpointOverride("https://emr.aliyuncs.com").protocol, "https");
        assert.equal(parseEndpointOverride("http://[::1]:9000").host, "[::1]:9000");
    });

    it("rejects junk with a clear error naming the setting", () => {
        const bad = [
            "",
            "   ",
            "ftp://host",
            "http://127.0.0.1:8080/path",
            "host/path",
            "host?x=1",
            "host#frag",
            "http://user:pw@host",
            "host:0",
            "host:65536",
            "host:http",
            "host:",
            "bad_host!",
            "-leading.example.com",
            "300.1.1.1",
            "two words",
        ];
        for (const value of bad) {
            assert.throws(
                () => parseEndpointOverride(value, "emr-flow:endpoint"),
                (e: unknown) => EmrConfigError.isInstance(e) && e.code === "InvalidEndpoint" && e.setting === "emr-flow:endpoint" && e.message.includes("emr-flow:endpoint"),
                JSON.stringify(value),
            );
        }
    });

    it("never echoes a password given in the endpoint", () => {
        try {
            parseEndpointOverride("http://user:hunter2secret@host");
            assert.fail("should throw");
        } catch (e) {
            assert.ok(EmrConfigError.isInstance(e));
            assert.match((e as Error).message, /user name/);
            assert.ok(!(e as Error).message.includes("hunter2secret"));
        }
    });
});

describe("resolveEndpoint", () => {
    it("uses the region table without an override", () => {
        assert.deepEqual(resolveEndpoint("cn-qingdao"), { host: "emr.cn-qingdao.aliyuncs.com", protocol: "https", source: "region table" });
    });

    it("prefers the override for every region", () => {
        assert.equal(resolveEndpoint("cn-qingdao", "http://127.0.0.1:1234").host, "127.0.0.1:1234");
        const parsed = parseEndpointOverride("gw:8443");
        assert.equal(resolveEndpoint("cn-hangzhou", parsed), parsed);
    });
});
