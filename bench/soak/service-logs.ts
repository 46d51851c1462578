/**
 * The services' warning and error log lines over the soak: counted per service, the first
 * few kept, and the services' log buffers emptied on each collection, since
 * @gavel/testing keeps every line a service writes and a soak writes many.
 */
import type { ServiceProcess } from "@gavel/testing";

interface Problems {
  errors: number;
  warnings: number;
  first: string[];
}

export class ServiceLogProblems {
  readonly #byService = new Map<string, Problems>();

  collect(services: ServiceProcess[]): void {
    for (const service of services) {
      for (const line of service.logs) {
        // Pino's "warn"/"error", Go's slog "WARN"/"ERROR".
        const level = String(line.level).toLowerCase();
        const error = level === "error" || level === "fatal";
        if (!error && level !== "warn") continue;
        const p = this.#byService.get(service.app) ?? { errors: 0, warnings: 0, first: [] };
        this.#byService.set(service.app, p);
        if (error) p.errors++;
        else p.warnings++;
        if (p.first.length < 3)
          p.first.push(`${level}: ${String(line.msg ?? JSON.stringify(line)).slice(0, 160)}`);
      }
      service.logs.length = 0;
    }
  }

  /** One line per service that logged a warning or an error. */
  lines(): string[] {
    return [...this.#byService].map(
      ([app, p]) =>
        `${app}: ${p.errors} error and ${p.warnings} warning log lines; first: ${p.first.join(" | ")}`,
    );
  }
}
