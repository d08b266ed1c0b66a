/**
 * A local HTTP server standing in for a customer's webhook endpoint (outbound webhooks, issue 16), for tests and the
 * offline demo: it records every request exactly as received (raw body bytes as text, headers, arrival time) and
 * answers what the test scripts: a queue of answers (`respond`), else 200. With `secret` it checks Tradsy-Signature
 * as a careful receiver would (src/lib/webhook-signature) and answers 401 to a bad or stale one.
 *
 * Listens on 127.0.0.1 over http: senders reach it only through the test allow-list (OUTBOUND_URL_ALLOWLIST).
 */
import "server-only";
import http from "node:http";
import { verifySignature, type VerifyResult } from "@/lib/webhook-signature";
import { closeServer, listenLocal } from "@/server/integrations/market-data/fake-binance";

export interface ReceivedWebhook {
  method: string;
  path: string;
  /** Lower-cased names, as Node gives them. */
  headers: Record<string, string>;
  /** The body exactly as it arrived (UTF-8). */
  rawBody: string;
  /** Epoch ms when it arrived. */
  at: number;
  /** What it was answered. */
  status: number;
  /** With `secret`: the signature check. */
  signature?: VerifyResult;
}

export interface ScriptedAnswer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
  /** Wait this long before answering (a slow endpoint). */
  delayMs?: number;
  /** How many requests answer this way (default 1). */
  times?: number;
}

export interface FakeReceiverOptions {
  /** Check Tradsy-Signature with this secret; a bad or stale signature is answered 401. */
  secret?: string;
  clock?: () => number;
}

export class FakeWebhookReceiver {
  readonly requests: ReceivedWebhook[] = [];
  private answers: (ScriptedAnswer & { times: number })[] = [];
  private server: http.Server | null = null;
  private readonly clock: () => number;
  baseUrl = "";

  constructor(private readonly options: FakeReceiverOptions = {}) {
    this.clock = options.clock ?? Date.now;
  }

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => void this.handle(req, Buffer.concat(chunks).toString("utf8"), res));
    });
    this.baseUrl = await listenLocal(this.server);
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    if (this.server) await closeServer(this.server);
    this.server = null;
  }

  /** The endpoint's URL (any path is answered). */
  url(path = "/hooks/tradsy"): string {
    return `${this.baseUrl}${path}`;
  }

  /** The host:port to put on the test allow-list. */
  get hostPort(): string {
    return new URL(this.baseUrl).host;
  }

  /** The next request(s) are answered this way, in order. */
  respond(answer: ScriptedAnswer): void {
    this.answers.push({ ...answer, times: answer.times ?? 1 });
  }

  /** Requests answered 2xx: what the receiver accepted. */
  get accepted(): ReceivedWebhook[] {
    return this.requests.filter((r) => r.status >= 200 && r.status < 300);
  }

  reset(): void {
    this.requests.length = 0;
    this.answers = [];
  }

  private async handle(req: http.IncomingMessage, rawBody: string, res: http.ServerResponse): Promise<void> {
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : (v ?? "")]));
    const record: ReceivedWebhook = { method: req.method ?? "", path: req.url ?? "", headers, rawBody, at: this.clock(), status: 0 };
    this.requests.push(record);
    const scripted = this.answers[0];
    if (scripted && --scripted.times <= 0) this.answers.shift();
    let answer: ScriptedAnswer = scripted ?? { status: 200, body: "ok" };
    if (this.options.secret) {
      record.signature = verifySignature(this.options.secret, rawBody, headers["tradsy-signature"] ?? "", this.clock() / 1000);
      if (!record.signature.ok && !scripted) answer = { status: 401, body: `bad signature: ${record.signature.reason}` };
    }
    if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
    record.status = answer.status;
    res.writeHead(answer.status, { "content-type": "text/plain; charset=utf-8", ...answer.headers });
    res.end(answer.body ?? "");
  }
}
