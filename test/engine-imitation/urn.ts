/**
 * Resource names the way the engine spells them. A dynamic resource's type is
 * `pulumi-nodejs:dynamic:Resource` (or `pulumi-nodejs:dynamic/<module>:<type>` when the resource
 * class passes a module and type to `pulumi.dynamic.Resource`).
 */

/** The type token of a plain `pulumi.dynamic.Resource`. */
export const DYNAMIC_RESOURCE_TYPE = "pulumi-nodejs:dynamic:Resource";

/** Default project and stack names, the same ones `pulumi.runtime.setMocks` uses. */
export const DEFAULT_PROJECT = "project";
export const DEFAULT_STACK = "stack";

/** True for every type token `pulumi.dynamic.Resource` can produce. */
export function isDynamicType(type: string): boolean {
    return type === DYNAMIC_RESOURCE_TYPE || type.startsWith("pulumi-nodejs:dynamic/") || type.startsWith("pulumi-nodejs:dynamic:");
}

/** `urn:pulumi:<stack>::<project>::<type>::<name>` for a top-level resource. */
export function urnFor(
    name: string,
    project: string = DEFAULT_PROJECT,
    stack: string = DEFAULT_STACK,
    type: string = DYNAMIC_RESOURCE_TYPE,
): string {
    return `urn:pulumi:${stack}::${project}::${type}::${name}`;
}

/** The parts of a URN (the type is the last segment of a parent-qualified type chain). */
export function parseUrn(urn: string): { stack: string; project: string; type: string; name: string } {
    const prefix = "urn:pulumi:";
    const parts = urn.startsWith(prefix) ? urn.slice(prefix.length).split("::") : [];
    if (parts.length < 4) {
        throw new Error(`not a URN: ${urn}`);
    }
    const qualifiedType = parts[2];
    const type = qualifiedType.split("$").pop() ?? qualifiedType;
    return { stack: parts[0], project: parts[1], type, name: parts.slice(3).join("::") };
}
