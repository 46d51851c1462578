/** What every connection is held to (from config). */
export interface ConnectionLimits {
  sendBufferBytes: number;
  messagesPerSecond: number;
  maxSubscriptions: number;
  pingMs: number;
  sseHeartbeatMs: number;
}
