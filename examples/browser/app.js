// The browser example: streams a chat answer from the proxy with the openai SDK. No build step, no vendor key.
// The SDK's ESM files are served from node_modules by serve.ts under ./vendor/openai/.
import OpenAI, { APIConnectionError, APIError } from './vendor/openai/index.mjs';

const form = document.querySelector('#ask');
const answer = document.querySelector('#answer');
const status = document.querySelector('#status');

function show(state, text) {
  status.dataset.state = state;
  status.textContent = text;
}

/** The credential for this request: the pasted key, or a fresh token from this site's backend. */
async function credential() {
  if (form.source.value === 'key') return form.key.value;
  // In a real app the backend checks the user's session before minting; see the README.
  const res = await fetch('./token', { method: 'POST' });
  if (!res.ok) throw new Error(`this site's token endpoint answered ${res.status}`);
  return (await res.json()).token;
}

/** A sentence for the person reading the page. */
function explain(err) {
  if (err instanceof APIConnectionError) {
    return 'The proxy could not be reached, or it does not accept requests from this page (CORS).';
  }
  if (err instanceof APIError) return `The proxy refused the request (${err.status} ${err.code ?? ''}): ${err.message}`;
  return String(err?.message ?? err);
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  answer.textContent = '';
  form.send.disabled = true;
  show('asking', 'Asking…');
  try {
    const client = new OpenAI({
      baseURL: `${form.proxy.value.replace(/\/+$/, '')}/v1`,
      apiKey: await credential(),
      // The credential here is a client key or token of the proxy, never a vendor key.
      dangerouslyAllowBrowser: true,
      maxRetries: 0,
    });
    const stream = await client.chat.completions.create({
      model: form.model.value,
      messages: [{ role: 'user', content: form.prompt.value }],
      stream: true,
    });
    show('streaming', 'Streaming…');
    for await (const chunk of stream) answer.textContent += chunk.choices[0]?.delta?.content ?? '';
    show('done', 'Done.');
  } catch (err) {
    show('error', explain(err));
  } finally {
    form.send.disabled = false;
  }
});

const settings = await (await fetch('./config.json')).json();
form.proxy.value = settings.proxyUrl;
form.model.value = settings.model;
form.source.value = settings.tokens ? 'token' : 'key';
form.send.disabled = false;
form.dataset.ready = 'true';
show('idle', 'Ready.');
