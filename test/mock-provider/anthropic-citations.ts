// Owns the citation the mock attaches to its text answer for scenario `citations`. Pure.

import type { CharLocationCitation } from './anthropic-wire.ts';
import type { ChatRequest } from './chat-reply.ts';
import { contentText, isRecord } from './chat-reply.ts';

type CitedDocument = { index: number; title: string | null; text: string };

/** The plain-text documents of a request (`document` blocks with a `text` source), numbered as Anthropic numbers them. */
function textDocuments(request: ChatRequest): CitedDocument[] {
  const documents: CitedDocument[] = [];
  let index = 0;
  for (const message of request.messages) {
    if (!Array.isArray(message.content)) continue;
    for (const block of message.content) {
      if (!isRecord(block) || block.type !== 'document') continue;
      const { source, title } = block;
      if (isRecord(source) && source.type === 'text' && typeof source.data === 'string') {
        documents.push({ index, title: typeof title === 'string' ? title : null, text: source.data });
      }
      index++;
    }
  }
  return documents;
}

/** The first sentence of `text` (through its first `.`, `!` or `?`), at most 120 characters. */
function firstSentence(text: string): string {
  const end = text.search(/[.!?](\s|$)/);
  return text.slice(0, Math.min(end < 0 ? text.length : end + 1, 120));
}

/**
 * A `char_location` citation of the first sentence of the request's first plain-text document
 * (`document` block with a `text` source); without one, of the last user message's text as
 * document 0 with no title. `file_id` is null, as for inline documents.
 */
export function citationFor(request: ChatRequest): CharLocationCitation {
  const lastUser = request.messages.findLast((message) => message.role === 'user');
  const document = textDocuments(request)[0] ?? { index: 0, title: null, text: contentText(lastUser?.content) };
  const cited = firstSentence(document.text);
  return {
    type: 'char_location',
    cited_text: cited,
    document_index: document.index,
    document_title: document.title,
    start_char_index: 0,
    end_char_index: cited.length,
    file_id: null,
  };
}
