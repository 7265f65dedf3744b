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
  // A Buffer, not a string: Fastify appends `; charset=utf-8` to any JSON-like type of a
  // string payload, and problem+json has no charset parameter (RFC 9457 §6.1, RFC 8259 §11),
  // which is how the other three adapters send it.
  // On HEAD the body goes too: Fastify's HEAD routes count it into Content-Length (they
  // would write `0` for no payload) and Node never sends a HEAD answer's body.
  const body = answer.body ?? (method === 'HEAD' ? renderDecision(decision, 'GET').body : undefined);
  return reply.code(answer.status).send(body === undefined ? undefined : Buffer.from(body));
}
