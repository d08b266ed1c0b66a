/** Entry point for Inngest tooling: the client and every function this app serves at /api/inngest. */
export { inngest, functions } from "@/server/jobs";
