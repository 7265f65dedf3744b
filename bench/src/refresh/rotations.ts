// Chains of rotations through the real `refreshTokens(...)`: each chain is one family
// whose live token is rotated again as soon as its child arrives, `chains` of them in
// flight at once (as many clients refreshing), so a measurement is rotations per second.
import type { RefreshTokens } from '@bulwark/tokens';

export interface Chains {
  /** Runs `total` rotations spread over the chains; answers rotations per second. */
  run(total: number): Promise<number>;
}

export async function startChains(refresh: RefreshTokens, chains: number, run: string): Promise<Chains> {
  const live = await Promise.all(
    Array.from({ length: chains }, async (_, i) => {
      const issued = await refresh.issue({
        subject: `bench-${run}-${i}`,
        clientId: 'notes-spa',
        scopes: ['notes:read'],
      });
      return issued.token;
    }),
  );
  return {
    async run(total) {
      let next = 0;
      const start = process.hrtime.bigint();
      await Promise.all(
        live.map(async (_, chain) => {
          while (next < total) {
            next++;
            const outcome = await refresh.rotate(live[chain] as string);
            // Every rotation must be a real one: anything else would time a refusal.
            if (!outcome.ok || outcome.kind !== 'rotated')
              throw new Error(`rotation refused: ${JSON.stringify(outcome)}`);
            live[chain] = outcome.refreshToken.token;
          }
        }),
      );
      return (total * 1e9) / Number(process.hrtime.bigint() - start);
    },
  };
}
