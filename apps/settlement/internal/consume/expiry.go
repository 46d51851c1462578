// Package consume holds how settlement's JetStream consumers pull.
package consume

import "time"

// Expiry is how long each pull of a Consume lasts, for every consumer settlement runs
// (CONSUME_EXPIRES_MS in libs/nats for the TypeScript services). nats.go derives the
// idle heartbeat from it (half), and a consumer that misses two heartbeats pulls again:
// with the default (30 s, so 15 s heartbeats) a consumer whose stream leader died stayed
// silent for up to 30 s, and the fault suite (faults/) saw no invoice within its 20 s
// when a three-node cluster lost the LOT_EVENTS leader. 5 s bounds that to about 5 s.
const Expiry = 5 * time.Second
