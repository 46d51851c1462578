/**
 * How long each pull of a JetStream `consume()` lasts, for every consumer Gavel runs. It
 * bounds how long a consumer stays silent after a NATS restart: about 5 s, not the default's
 * 30 s, for one pull request every 5 s from an idle consumer.
 * docs/reliability.md#what-the-fault-suite-found
 */
export const CONSUME_EXPIRES_MS = 5_000;
