/**
 * How long each pull of a JetStream `consume()` lasts, for every consumer Gavel runs.
 * nats.js derives two things from it: the idle heartbeat (half of it: two missed ones make
 * the client check its consumer), and, when that check gets no answer, the wait before
 * the next one (up to all of it, jittered). After a NATS restart the first check often
 * comes while JetStream is still starting, so with the default (30 s) a consumer stayed
 * silent for up to 30 s: the fault suite (faults/) caught push feeds and the lot closer
 * stalled that long, with events stored and not delivered. 5 s bounds the stall to about
 * 5 s, for one pull request every 5 s from an idle consumer.
 */
export const CONSUME_EXPIRES_MS = 5_000;
