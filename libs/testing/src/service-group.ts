import {
  startService,
  type AppName,
  type ServiceProcess,
  type StartOptions,
} from "./service-process.ts";

/**
 * Services started together and stopped together. When one fails to start, the others
 * (started already, or finishing their start later) are stopped too, so a broken test
 * setup never leaves processes behind.
 */
export class ServiceGroup {
  readonly processes: ServiceProcess[] = [];
  #failed = false;

  async start(
    app: AppName,
    env: Record<string, string>,
    options?: StartOptions,
  ): Promise<ServiceProcess> {
    let started: ServiceProcess;
    try {
      started = await startService(app, env, options);
    } catch (err) {
      this.#failed = true;
      await this.stop();
      throw err;
    }
    this.processes.push(started);
    if (this.#failed) {
      await this.stop();
      throw new Error(`${app} started after another service of its group failed; stopped it`);
    }
    return started;
  }

  /** Stops every process (SIGTERM) and resolves with their exit codes, in start order. */
  stop(): Promise<Array<number | null>> {
    return Promise.all(this.processes.map((p) => p.stop()));
  }
}
