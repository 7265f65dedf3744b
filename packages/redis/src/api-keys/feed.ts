// The feed moved to @bulwark/api-keys (the PostgreSQL store shares it).
export { InvalidationFeed, parseFeedMessage } from '@bulwark/api-keys';
