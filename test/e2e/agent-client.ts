// An @anthropic-ai/sdk client on the first proxy that keeps each exchange: what the SDK sent, and the bytes the proxy answered.
import Anthropic from '@anthropic-ai/sdk';
import { inject } from 'vitest';
import { proxyUrl } from './proxy-client.ts';
import { recordingFetch } from './recorder.ts';
import type { VendorExchange } from './vendor-tap.ts';

/** One request of the SDK and the proxy's answer, as they went over the wire. */
export interface CallerExchange {
  url: string;
  /** Request headers as the SDK sent them, names lower-case. */
  headers: Record<string, string>;
  /** The request body text as the SDK sent it. */
  body: string;
  status: number;
  /** Response headers of the proxy, names lower-case. */
  responseHeaders: Record<string, string>;
  /** The proxy's answer text; complete once the SDK has read it to the end. */
  answer: string;
}

function bodyText(body: BodyInit | null | undefined): string {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array || body instanceof ArrayBuffer) return new TextDecoder().decode(body);
  throw new Error(`the SDK sent a body this recorder cannot read: ${Object.prototype.toString.call(body)}`);
}

/** The SDK (no retries of its own) and the log of what it sent and got, in order. */
export function agentClient(): { client: Anthropic; exchanges: CallerExchange[] } {
  const exchanges: CallerExchange[] = [];
  const capturing: typeof fetch = async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    const headers = Object.fromEntries(new Headers(init?.headers));
    const exchange: CallerExchange = { url, headers, body: bodyText(init?.body), status: 0, responseHeaders: {}, answer: '' };
    exchanges.push(exchange);
    const response = await recordingFetch(input, init);
    exchange.status = response.status;
    exchange.responseHeaders = Object.fromEntries(response.headers);
    if (response.body === null) return response;
    const decoder = new TextDecoder();
    const body = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          exchange.answer += decoder.decode(chunk, { stream: true });
          controller.enqueue(chunk);
        },
      }),
    );
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
  const client = new Anthropic({ baseURL: proxyUrl, apiKey: 'unused', maxRetries: 0, timeout: 20_000, fetch: capturing });
  return { client, exchanges };
}

const vendorTapUrl = inject('vendorTapUrl');

/** What reached the vendor through the tap since its last reset, once every answer is complete (waits up to 3 s). */
export async function vendorExchanges(): Promise<VendorExchange[]> {
  const until = Date.now() + 3000;
  for (;;) {
    const log = (await (await fetch(`${vendorTapUrl}/__vendor/log`)).json()) as VendorExchange[];
    if (log.every((e) => e.done) || Date.now() > until) return log;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function resetVendorTap(): Promise<void> {
  await fetch(`${vendorTapUrl}/__vendor/reset`, { method: 'POST' });
}
