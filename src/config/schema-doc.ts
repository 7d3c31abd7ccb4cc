// Shared pieces of the PROXY_CONFIG schema: how a key documents itself, and common field types.
import * as z from 'zod';

/** Documentation of one key: what it means, and optional example values (docs/configuration.md is generated from it). */
export function doc(description: string, ...examples: unknown[]): { description: string; examples?: unknown[] } {
  return examples.length === 0 ? { description } : { description, examples };
}

export const ms = z.number().int().nonnegative();
export const positiveMs = z.number().int().positive();
/** A count of tokens, requests or the like: a whole number above zero. */
export const positiveInt = z.number().int().positive();
/** The name of an env var (a secret or a var of the Worker), never its value. */
export const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an env var name');
