import type { View } from "../app-context.ts";
import { fill, h } from "../element.ts";
import { readEventStream } from "../event-stream.ts";
import { traceHeaders } from "../page-tracing.ts";
import { currentSession } from "../session.ts";

interface Progress {
  lines_read: number;
  sent_to_catalog: number;
  failed_here: number;
}

interface LineResult {
  line: number;
  status: "created" | "failed";
  lot?: { id: string; title: string };
  error?: { code: string; message: string; errors?: Array<{ field: string; message: string }> };
}

interface ImportAnswer {
  created: number;
  failed: number;
  results: LineResult[];
}

const EXAMPLE =
  '{"title": "Oak chest", "starting_price": {"currency": "EUR", "amount_minor": 2500}, ' +
  '"ends_at": "2030-01-01T12:00:00Z"}';
/** Links to at most this many created lots; the count says the rest. */
const LINKED_LOTS = 20;

/**
 * A seller's bulk import: NDJSON lines posted to the REST edge's /v1/lots/import, which
 * streams them into the catalog's client-streaming ImportLots and answers as Server-Sent
 * Events (Accept: text/event-stream): progress while it reads, then the result. A POST's
 * answer, so read with fetch (EventSource can only GET).
 */
export const importForm: View = (root, context) => {
  if (!currentSession()) {
    queueMicrotask(() => context.navigate("/sign-in?next=/sell/import")); // after this view is shown
    return () => {};
  }
  const file = h("input", {
    id: "import-file",
    type: "file",
    accept: ".ndjson,.jsonl,application/x-ndjson",
  });
  const pasted = h("textarea", {
    id: "import-lines",
    rows: 6,
    placeholder: EXAMPLE,
    "aria-describedby": "import-lines-hint",
  });
  const submit = h("button", { type: "submit" }, "Import");
  const bar = h("progress", { id: "import-progress", max: 1, value: 0 });
  const status = h("p", { role: "status", "data-testid": "import-status" });
  const problem = h("p", { role: "alert", class: "form-error" });
  const results = h("section", { "aria-labelledby": "import-result-heading", hidden: true });
  const form = h(
    "form",
    { class: "stack", "aria-labelledby": "import-heading" },
    h(
      "div",
      { class: "field" },
      h("label", { for: "import-file" }, "A file of lots (NDJSON)"),
      file,
    ),
    h(
      "div",
      { class: "field" },
      h("label", { for: "import-lines" }, "Or paste the lines"),
      pasted,
      h(
        "small",
        { id: "import-lines-hint" },
        "One lot per line, as JSON: title, starting_price, ends_at; optionally description, " +
          "reserve_price and snipe_window_seconds. At most 1,000 lines.",
      ),
    ),
    submit,
    h("div", { class: "field" }, h("label", { for: "import-progress" }, "Progress"), bar),
    status,
    problem,
  );
  let abort: AbortController | undefined;
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void run();
  });
  fill(
    root,
    h("h1", { id: "import-heading", tabindex: -1 }, "Import lots"),
    h(
      "p",
      {},
      "The edge streams your lines to the catalog as it reads them and reports how far it has got " +
        "as Server-Sent Events on the answer to the upload.",
    ),
    form,
    results,
  );
  return () => abort?.abort();

  async function run() {
    const session = currentSession();
    const text = file.files?.[0] ? await file.files[0].text() : pasted.value;
    const total = text.split(/\r?\n/).filter((l) => l.trim() !== "").length;
    if (!session || total === 0) {
      problem.textContent = session
        ? "Choose a file or paste at least one line."
        : "Sign in first.";
      return;
    }
    abort = new AbortController();
    submit.disabled = true;
    problem.textContent = "";
    results.hidden = true;
    bar.max = total;
    bar.value = 0;
    status.textContent = `Sending ${total} lines…`;
    const span = context.tracing.start("import lots", {
      "http.request.method": "POST",
      "gavel.import.lines": total,
    });
    let failure: string | undefined;
    try {
      const res = await fetch(`${context.config.restUrl}/v1/lots/import`, {
        method: "POST",
        headers: {
          "content-type": "application/x-ndjson",
          accept: "text/event-stream",
          authorization: `Bearer ${session.token}`,
          "idempotency-key": crypto.randomUUID(),
          ...traceHeaders(span),
        },
        body: text,
        signal: abort.signal,
      });
      if (
        !res.ok ||
        !res.body ||
        !res.headers.get("content-type")?.startsWith("text/event-stream")
      ) {
        problem.textContent = await problemText(res);
        failure = `status ${res.status}`;
        return;
      }
      for await (const { event, data } of readEventStream(res.body)) {
        if (event === "progress") show(JSON.parse(data) as Progress, total);
        else if (event === "result") showResult(JSON.parse(data) as ImportAnswer);
        else if (event === "problem")
          problem.textContent =
            (JSON.parse(data) as { detail?: string }).detail ?? "The import failed.";
      }
    } catch (err) {
      failure = err instanceof Error ? err.message : String(err);
      if (!abort.signal.aborted) problem.textContent = failure;
    } finally {
      span.end(failure ? { error: failure } : {});
      submit.disabled = false;
    }
  }

  function show(progress: Progress, total: number) {
    bar.value = progress.lines_read;
    status.textContent =
      `Read ${progress.lines_read} of ${total} lines: ${progress.sent_to_catalog} sent to the ` +
      `catalog, ${progress.failed_here} refused here.`;
  }

  function showResult(answer: ImportAnswer) {
    bar.value = bar.max;
    status.textContent = `Done: ${answer.created} created, ${answer.failed} failed.`;
    const created = answer.results.filter((r) => r.status === "created" && r.lot);
    const failed = answer.results.filter((r) => r.status === "failed");
    fill(
      results,
      h("h2", { id: "import-result-heading" }, "Result"),
      h(
        "p",
        { "data-testid": "import-summary" },
        `${plural(answer.created, "lot")} created, ${plural(answer.failed, "line")} failed.`,
      ),
      failed.length ? h("h3", {}, "Failed lines") : null,
      failed.length
        ? h(
            "ul",
            { "data-testid": "import-failures" },
            ...failed.map((r) =>
              h("li", {}, `Line ${r.line}: ${[r.error?.message, ...fieldErrors(r)].join(" ")}`),
            ),
          )
        : null,
      created.length ? h("h3", {}, "Created lots") : null,
      created.length
        ? h(
            "ul",
            { "data-testid": "import-created" },
            ...created
              .slice(0, LINKED_LOTS)
              .map((r) =>
                h(
                  "li",
                  {},
                  h("a", { href: `/lots/${r.lot!.id}`, "data-link": true }, r.lot!.title),
                ),
              ),
          )
        : null,
      created.length > LINKED_LOTS ? h("p", {}, `and ${created.length - LINKED_LOTS} more.`) : null,
    );
    results.hidden = false;
  }
};

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;

const fieldErrors = (r: LineResult) =>
  (r.error?.errors ?? []).map((e) => `${e.field}: ${e.message}.`);

/** What a refused upload's problem document says, or its status. */
async function problemText(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { detail?: string; title?: string };
    return body.detail ?? body.title ?? `The import was refused (${res.status}).`;
  } catch {
    return `The import was refused (${res.status}).`;
  }
}
