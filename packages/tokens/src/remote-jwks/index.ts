export { type RemoteJwksOptions, remoteJwks } from './remote-jwks.js';
