// Stop reasons mapped both ways between Anthropic (`stop_reason`) and the proxy's finish reasons.
import type { FinishReason } from '../model.ts';

/** Anthropic `stop_reason` → the proxy's finish reason. */
export function finishReasonOf(stopReason: unknown): FinishReason {
  switch (stopReason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      // end_turn, stop_sequence, pause_turn, and anything new.
      return 'stop';
  }
}

/** The proxy's finish reason → Anthropic `stop_reason`. */
export function stopReasonOf(finishReason: FinishReason): string {
  switch (finishReason) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    default:
      return 'end_turn';
  }
}
