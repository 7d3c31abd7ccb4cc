// Worker entry: the proxy app, built once per isolate.
import { createApp } from './app.ts';

export default createApp();
