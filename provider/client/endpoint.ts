/**
 * Where EMR API calls go: the per-region endpoint table, the override (a test emulator, a
 * private gateway), and region ID checks.
 *
 * `@alicloud/openapi-client` does not compute endpoints: its `Config.endpoint` is a bare
 * `host[:port]`, and `Config.protocol` chooses HTTP or HTTPS. So an override given as a URL is
 * split here into those two.
 */
import { EmrConfigError } from "./errors";

/** Regions served by the shared endpoint {@link SHARED_ENDPOINT}. */
export const SHARED_ENDPOINT_REGIONS: readonly string[] = [
    "cn-hangzhou",
    "cn-shanghai",
    "cn-beijing",
    "cn-shenzhen",
    "ap-southeast-1",
    "us-west-1",
    "cn-hangzhou-finance",
    "cn-shenzhen-finance-1",
    "cn-shanghai-finance-1",
];

/** The endpoint of the regions in {@link SHARED_ENDPOINT_REGIONS}; others use `emr.<region>.aliyuncs.com`. */
export const SHARED_ENDPOINT = "emr.aliyuncs.com";

/**
 * Alibaba Cloud regions known to this package. A region outside this list is not necessarily
 * wrong (Alibaba adds regions): callers should warn rather than reject.
 */
export const KNOWN_REGIONS: readonly string[] = [
    "cn-qingdao",
    "cn-beijing",
    "cn-zhangjiakou",
    "cn-huhehaote",
    "cn-wulanchabu",
    "cn-hangzhou",
    "cn-shanghai",
    "cn-nanjing",
    "cn-fuzhou",
    "cn-shenzhen",
    "cn-heyuan",
    "cn-guangzhou",
    "cn-chengdu",
    "cn-hongkong",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-south-1",
    "us-east-1",
    "us-west-1",
    "eu-west-1",
    "eu-central-1",
    "me-east-1",
    "me-central-1",
    "cn-hangzhou-finance",
    "cn-shenzhen-finance-1",
    "cn-shanghai-finance-1",
];

/** The shape of a region ID: lower-case words joined by dashes, such as `cn-hangzhou` or `ap-southeast-1`. */
export const REGION_ID_FORMAT = /^[a-z]{2,}(-[a-z0-9]+){1,3}$/;

/** Environment variable that overrides the EMR endpoint (the same name Terraform's provider reads). */
export const ENDPOINT_ENV_VAR = "ALIBABA_CLOUD_ENDPOINT_EMR";

/** Whether `regionId` has the shape of a region ID (not whether the region exists). */
export function isValidRegionId(regionId: string): boolean {
    return REGION_ID_FORMAT.test(regionId);
}

/** Whether `regionId` is in {@link KNOWN_REGIONS}. */
export function isKnownRegion(regionId: string): boolean {
    return KNOWN_REGIONS.includes(regionId);
}

/** Where calls go: `host` is `host[:port]` as `Config.endpoint` wants it. */
export interface EndpointTarget {
    host: string;
    protocol: "https" | "http";
    /** Where this endpoint came from, for messages: `region table` or the override's source. */
    source: string;
}

/** The regional endpoint host for `regionId`. Throws {@link EmrConfigError} for a malformed region ID. */
export function endpointForRegion(regionId: string): string {
    if (!isValidRegionId(regionId)) {
        throw new EmrConfigError(
            "InvalidRegion",
            `"${regionId}" is not a region ID: expected lower-case words joined by dashes, such as cn-hangzhou or ap-southeast-1.`,
            "regionId",
        );
    }
    return SHARED_ENDPOINT_REGIONS.includes(regionId) ? SHARED_ENDPOINT : `emr.${regionId}.aliyuncs.com`;
}

const HOST_LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function validHostname(host: string): boolean {
    const v4 = IPV4.exec(host);
    if (v4) return v4.slice(1).every((octet) => Number(octet) <= 255);
    if (host.startsWith("[") && host.endsWith("]")) return /^\[[0-9A-Fa-f:.]+\]$/.test(host) && host.includes(":");
    if (host.length > 253) return false;
    return host.split(".").every((label) => HOST_LABEL.test(label));
}

/**
 * Parses an endpoint override: `host`, `host:port`, `https://host[:port]` or
 * `http://host[:port]` (plain HTTP, for a local emulator). A trailing `/` is accepted; a path,
 * query, fragment or user name is not, nor a port outside 1-65535. Throws
 * {@link EmrConfigError} naming `source` (the setting the value came from).
 */
export function parseEndpointOverride(value: string, source = "endpoint"): EndpointTarget {
    const text = value.trim();
    // A user:password in the value is not quoted back.
    const shown = text.replace(/^([^/]*\/\/)?[^/@]*@/, "$1<redacted>@");
    const fail = (why: string): never => {
        throw new EmrConfigError(
            "InvalidEndpoint",
            `${source} = "${shown}" is not a usable endpoint: ${why}. Use host[:port] (HTTPS), or http://host:port for a local emulator.`,
            source,
        );
    };
    if (text === "") fail("it is empty");
    let protocol: "https" | "http" = "https";
    let rest = text;
    const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(text);
    if (scheme) {
        const name = scheme[1].toLowerCase();
        if (name !== "http" && name !== "https") fail(`the scheme "${scheme[1]}" is not http or https`);
        protocol = name as "http" | "https";
        rest = text.slice(scheme[0].length);
    }
    if (rest.endsWith("/")) rest = rest.slice(0, -1);
    if (/[/?#]/.test(rest)) fail("it has a path, query or fragment; only a host and port are accepted");
    if (rest.includes("@")) fail("it has a user name; credentials never go in the endpoint");
    if (/\s/.test(rest)) fail("it contains spaces");
    let host = rest;
    let port: string | undefined;
    const bracketed = /^(\[[^\]]*\])(?::(.*))?$/.exec(rest);
    if (bracketed) {
        host = bracketed[1];
        port = bracketed[2];
    } else if (rest.includes(":")) {
        const at = rest.lastIndexOf(":");
        host = rest.slice(0, at);
        port = rest.slice(at + 1);
    }
    if (!validHostname(host)) fail(`"${host}" is not a host name or IP address`);
    if (port !== undefined) {
        if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) fail(`the port "${port}" is not a number from 1 to 65535`);
        // Normalised: "0080" becomes "80".
        port = String(Number(port));
    }
    return { host: port !== undefined ? `${host}:${port}` : host, protocol, source };
}

/**
 * The endpoint for a call in `regionId`: the override when one is set, else the region table.
 * @param override - a value for {@link parseEndpointOverride}, or an already parsed target.
 */
export function resolveEndpoint(regionId: string, override?: string | EndpointTarget): EndpointTarget {
    if (override !== undefined) {
        return typeof override === "string" ? parseEndpointOverride(override) : override;
    }
    return { host: endpointForRegion(regionId), protocol: "https", source: "region table" };
}
