export { compileHostRules, DEFAULT_EGRESS_PORTS, NO_HOST_RULES, type CompiledHostRule, type HostRules } from './compile-hosts.js';
export { decideHost, type HostDecision, type HostTarget } from './decide-host.js';
export { hostGlob, normalizeHost, type HostGlob } from './host-glob.js';
