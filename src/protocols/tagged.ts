// Tagged unions that are strict about the kinds the proxy knows and let every other kind through.
import * as z from 'zod';
import type { Json } from './json.ts';

/** The tag of a kind the proxy does not know: its real name is in `name`, the whole object in `value`. */
export const UNKNOWN = '?';

/** An object of a kind the proxy does not know, as the parsed view shows it. */
export type Unknown<K extends string> = { [P in K]: typeof UNKNOWN } & { name: string; value: Json };

/**
 * An object tagged by `tag` (`type`, `role`): one of the `known` kinds, checked by its schema (a bad
 * one is an issue at its path), or any other kind, let through as `Unknown` (a vendor may know it;
 * a field the proxy does not know yet is the vendor's to judge). `missing` names the kind of an
 * object without the tag, where the wire allows that. Only the parsed view changes: the body
 * forwarded to a vendor is always the caller's own.
 */
export function tagged<const K extends string, S extends Record<string, z.ZodType>>(
  tag: K,
  known: S,
  options: { missing?: keyof S & string } = {},
) {
  const shape = { [tag]: options.missing === undefined ? z.string() : z.string().optional() } as Record<K, z.ZodString>;
  return z.looseObject(shape).transform((value, ctx): z.output<S[keyof S]> | Unknown<K> => {
    const name = (value[tag] as string | undefined) ?? (options.missing as string);
    const schema = Object.hasOwn(known, name) ? known[name] : undefined;
    if (schema === undefined) return { [tag]: UNKNOWN, name, value } as Unknown<K>;
    const result = schema.safeParse(value);
    if (result.success) return result.data as z.output<S[keyof S]>;
    for (const issue of result.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path, input: value });
    return z.NEVER;
  });
}

/** Whether a parsed view is of a kind the proxy does not know. */
export function isUnknown<K extends string>(value: object, tag: K): value is Unknown<K> {
  return (value as Record<string, unknown>)[tag] === UNKNOWN;
}
