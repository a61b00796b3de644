// Test support for e2e suites and the demo: `@portcullis/sidecar/testing`. Nothing in the sidecar imports
// it; the shipped executable is bundled from main.ts and never contains it (a unit test checks).
export { appContext, chunkedBody, sendRaw, signAsApp } from './test-support/aws-app.js';
export { json, startUpstream, testPki, type Received, type Upstream } from './test-support/upstream.js';
export { llmRoute, llmScript, type LlmScript } from './test-support/llm-upstream.js';
export { startEntraStandIn, serviceAccountSubject, type EntraStandIn, type FederatedCredential } from './test-support/entra-stand-in.js';
export { federatedPrincipal, startGoogleStandIn, type GoogleStandIn, type IssuedToken } from './test-support/google-stand-in.js';
export { startGithubStandIn, type GithubInstallation, type GithubStandIn } from './test-support/github-stand-in.js';
export { startWsUpstream, type WsHandshake, type WsUpstream } from './test-support/ws-upstream.js';
export { closed, nextMessage, openedWs, openWs, type WsOpen } from './test-support/ws-client.js';
