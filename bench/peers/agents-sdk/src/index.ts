// The benchmark peer: the smallest chat app on the Cloudflare Agents SDK (AIChatAgent), streaming from the
// same stand-in provider as edgeclaw. No auth: the peer is measured, not deployed.

import { createOpenAI } from "@ai-sdk/openai";
import { AIChatAgent } from "@cloudflare/ai-chat";
import { routeAgentRequest } from "agents";
import { convertToModelMessages, streamText } from "ai";

interface Env {
  PeerChat: DurableObjectNamespace;
  OPENAI_BASE_URL: string;
}

export class PeerChat extends AIChatAgent<Env> {
  async onChatMessage(onFinish: Parameters<AIChatAgent<Env>["onChatMessage"]>[0]): Promise<Response> {
    const openai = createOpenAI({ baseURL: this.env.OPENAI_BASE_URL, apiKey: "peer" });
    const result = streamText({
      model: openai.chat("peer-model"),
      messages: await convertToModelMessages(this.messages),
      onFinish,
    });
    return result.toUIMessageStreamResponse();
  }
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    return (await routeAgentRequest(request, env)) ?? new Response("not found", { status: 404 });
  },
};
