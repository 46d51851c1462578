/**
 * `@gavel/testing/processes`: what npm start (scripts/dev) shares with the tests, real
 * service processes and the chart's NATS users, without the test tools the package's
 * index brings (testcontainers, vitest, fast-check, Connect clients). A launcher that
 * runs for hours keeps every module it imports: this keeps it tens of MiB lighter.
 */
export { startService, repoRoot } from "./service-process.ts";
export type { ServiceProcess, AppName, StartOptions } from "./service-process.ts";
export { untilHttpOk } from "./until-http-ok.ts";
export { natsAccountsConfig, natsPasswords, natsPasswordsEnv, natsUserEnv } from "./nats-users.ts";
