export { integrationConfig as default } from "@gavel/vitest-config";
