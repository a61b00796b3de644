export { JsonUsageScanner, type ScanSink } from './json-scan.js';
export { tokensOf, UsageMeter } from './meter.js';
export { requestFacts, type RequestFacts as LlmRequestFacts } from './request.js';
export { SseDataSplitter, type EventDataSink } from './sse.js';
