/**
 * Until the demo's OAuth endpoints land on main, the root run skips this suite (it cannot
 * pass before). `OAUTH_E2E=1` runs it anyway. Removed once the demo's OAuth commit is merged.
 */
export const PENDING = process.env.OAUTH_E2E !== '1';
