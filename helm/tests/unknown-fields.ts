import { fileURLToPath } from "node:url";
import ts from "typescript";
import type { K8sObject } from "./chart.ts";

/**
 * Fields the Kubernetes API does not define, found the way `kubeconform -strict` would:
 * the kubernetes-models schemas validate types but allow unknown fields, while their
 * TypeScript interfaces are closed, so each object is compiled as a literal that must
 * `satisfies` its interface and TypeScript's excess property check names every stray
 * field (a typo such as `readinesProbe`, or a field in the wrong place).
 */
export function unknownFields(objects: K8sObject[]): string[] {
  const file = fileURLToPath(new URL("./__rendered__.ts", import.meta.url));
  const modules = [...new Set(objects.map((o) => o.apiVersion))];
  const lines = [
    ...modules.map((v, i) => `import type * as m${i} from "kubernetes-models/${v}";`),
    ...objects.map(
      (o, i) =>
        `export const o${i} = ${JSON.stringify(o)} satisfies m${modules.indexOf(o.apiVersion)}.I${o.kind};`,
    ),
  ];
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.fileExists = (name) => name === file || ts.sys.fileExists(name);
  host.readFile = (name) => (name === file ? lines.join("\n") : readFile(name));
  host.getSourceFile = (name, version, ...rest) =>
    name === file
      ? ts.createSourceFile(name, lines.join("\n"), version)
      : getSourceFile(name, version, ...rest);
  const program = ts.createProgram([file], options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file?.fileName === file)
    .map((d) => {
      const line = d.file!.getLineAndCharacterOfPosition(d.start ?? 0).line - modules.length;
      const object = objects[line];
      const where = object ? `${object.kind}/${object.metadata.name}` : `line ${line}`;
      return `${where}: ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`;
    });
}
