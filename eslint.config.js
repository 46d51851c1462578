// ESLint looks for its configuration at the root; the preset lives in tooling/eslint.
export { default } from "@gavel/eslint-config";
