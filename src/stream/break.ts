// How a committed stream broke, as the in-band error the caller gets and the failure the breaker and rescuers see. Pure.

import { scrub } from '../observability/scrub.ts';
import type { UpstreamFailure } from '../pipeline/fallback.ts';
import type { BreakCause } from './step.ts';

/** An in-band error ending a stream, and the failure it stands for. */
export interface Broken {
  code: string;
  message: string;
  failure: UpstreamFailure;
}

/** The in-band error for a break; a vendor's message is scrubbed of secrets first. */
export function brokenBy(cause: BreakCause, secrets: readonly string[]): Broken {
  switch (cause.kind) {
    case 'timeout': {
      const phase = cause.phase === 'idle' ? 'idle' : 'attempt';
      const code = `${phase}_timeout`;
      return {
        code,
        message: `The upstream provider stopped responding (${code}); the answer is incomplete.`,
        failure: { kind: 'timeout', phase },
      };
    }
    case 'cut':
      return {
        code: 'stream_interrupted',
        message: 'The upstream connection was cut before the answer finished; the answer is incomplete.',
        failure: { kind: 'network', message: 'stream cut' },
      };
    case 'error': {
      const detail = scrub(cause.error.message, secrets) || 'upstream error';
      return {
        code: 'upstream_error',
        message: `The upstream provider failed mid-answer: ${detail}`,
        failure: { kind: 'stream_error', ...cause.error, message: detail },
      };
    }
  }
}
