import { applyHeaders, type Decision, type HeaderSink, renderDecision } from '@bulwark/core';
import type { FastifyReply } from 'fastify';

export function replySink(reply: FastifyReply): HeaderSink {
  return {
    get: (name) => {
      const value = reply.getHeader(name);
      return value === undefined ? undefined : Array.isArray(value) ? value.join(', ') : String(value);
    },
    set: (name, value) => {
      reply.header(name, value);
    },
    remove: (name) => {
      reply.removeHeader(name);
    },
  };
}

export function send(
  reply: FastifyReply,
  decision: Exclude<Decision, { kind: 'allow' }>,
  method: string,
): FastifyReply {
  const answer = renderDecision(decision, method);
  const sink = replySink(reply);
  applyHeaders(sink, answer.headers);
  if (answer.removeHeaders !== undefined) for (const name of answer.removeHeaders) sink.remove(name);
  return reply.code(answer.status).send(answer.body);
}
