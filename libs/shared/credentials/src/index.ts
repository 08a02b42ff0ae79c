export { hashPassword, MAX_SCRYPT_COST, verifyPassword, type PasswordHash } from './password-hash.js';
export { MIN_PASSWORD_LENGTH, weakPasswordReason } from './password-strength.js';
export { ldapBindVerifies, openLdapClient, type LdapConnection } from './ldap-bind.js';
