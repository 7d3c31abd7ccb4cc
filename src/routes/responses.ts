// POST /v1/responses (OpenAI Responses API, streaming or not), and the stored Responses read back by id.
import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import { answer } from '../pipeline/pipeline.ts';
import { inputItemsOf, responsesCaller, withHistory } from '../protocols/openai-responses/caller.ts';
import { loadContext } from '../responses/store.ts';
import { readJson, requireJson } from '../validation.ts';
import { contextFor, httpFacts } from './model-route.ts';
import { respond } from './respond.ts';
import { storedResponsesRoutes } from './stored-responses.ts';

/**
 * A request naming `previous_response_id` continues the client's stored conversation: the history
 * is rebuilt from the store (the earlier turns' input and output items; their instructions are not
 * carried over, as at OpenAI) before anything else sees the request, so every target, whatever its
 * protocol, gets the whole conversation. With `store` true (the default) the answer is kept.
 */
export function responsesRoutes(upstreamFetch: typeof fetch): Hono<AppEnv> {
  return new Hono<AppEnv>()
    .post('/responses', requireJson(), async (c) => {
      let request = responsesCaller.parse(await readJson(c), httpFacts(c));
      // What the caller itself sent this turn is stored with its answer (never the rebuilt history).
      const input = request.body.store === false ? undefined : inputItemsOf(request.body);
      const previousId = typeof request.body.previous_response_id === 'string' ? request.body.previous_response_id : null;
      if (previousId !== null) {
        const history = await loadContext(c.env.RESPONSES, c.get('client').name, previousId);
        request = withHistory(request, history);
      }
      const keep = input === undefined ? undefined : { previousId, input };
      return respond(c, await answer(contextFor(c, request, upstreamFetch, keep)));
    })
    .route('/', storedResponsesRoutes());
}
