#!/usr/bin/env node
// Runs the TypeScript sources through tsx's loader, so a fresh clone needs only `npm ci`.
import { register } from 'tsx/esm/api';

// Kiln supports Node 20; the AWS SDK versions locked in package-lock.json run on it, so its
// notice about future releases needing Node 22 is noise on every eksctl-style command.
globalThis.process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

register();
await import('../src/cli/main.ts');
