export { integrationConfig as default } from "@gavel/testing/vitest";
