/**
 * The baseline of the edge benchmark: a bare Express 5 route answering a small JSON
 * body, in its own process like the edge, with nothing behind it.
 *   node bare-express.ts <port>
 */
import express from "express";

const app = express();
const body = {
  id: "0197a4b2-7c1e-7000-8000-0000000000a1",
  title: "A brass lamp",
  status: "open",
  bid_count: 3,
};
app.get("/lot", (_req, res) => void res.json(body));
app.listen(Number(process.argv[2]), "127.0.0.1", () => process.stdout.write("ready\n"));
