// Worker entry: the proxy app, built once per isolate, and the Durable Object classes.
import { createApp } from './app.ts';

export { BreakerObject } from './breaker/object.ts';
export { ClientRateObject } from './limits/rate-object.ts';
export { ResponsesObject } from './responses/store-object.ts';
export { SessionPinObject } from './routing/pin-object.ts';
export { BudgetObject } from './spend/budget-object.ts';

export default createApp();
