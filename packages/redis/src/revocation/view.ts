// The view moved to @bulwark/tokens (the PostgreSQL store shares it).
export { type RevocationSnapshot, SharedRevocationView as LocalView } from '@bulwark/tokens';
