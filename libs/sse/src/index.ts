export { SSE_HEADERS, sseComment, sseEvent, sseRetry } from "./sse-framing.ts";
