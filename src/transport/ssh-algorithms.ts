/**
 * The key exchange and cipher tend proposes, most preferred first. SSH uses the client's first
 * choice the server also allows, so this order decides what a handshake costs, and a server that
 * allows only the later ones is still reached. These are exactly ssh2's default sets (nothing weak
 * added: no SHA-1 key exchange, no CBC, no arcfour), ordered by what bench/profile/handshake.ts
 * measured against OpenSSH 9.2: the algorithms change a ≈95 ms handshake by less than its noise
 * (the server's work and the round trips dominate); on the client, X25519 costs ≈0.1 ms against
 * ≈0.2 ms for P-256, and the AEAD ciphers need no separate MAC pass. Written out, the order no
 * longer moves with ssh2's own defaults (which put chacha20 behind the CTR ciphers).
 * Host key algorithms are ordered per host by what known_hosts records (see ssh-hostkey.ts).
 */
export const KEX_ALGORITHMS = [
  'curve25519-sha256',
  'curve25519-sha256@libssh.org',
  'ecdh-sha2-nistp256',
  'ecdh-sha2-nistp384',
  'ecdh-sha2-nistp521',
  'diffie-hellman-group-exchange-sha256',
  'diffie-hellman-group14-sha256',
  'diffie-hellman-group16-sha512',
  'diffie-hellman-group18-sha512',
  'diffie-hellman-group15-sha512',
  'diffie-hellman-group17-sha512',
] as const

export const CIPHERS = [
  'aes128-gcm@openssh.com',
  'chacha20-poly1305@openssh.com',
  'aes256-gcm@openssh.com',
  'aes128-ctr',
  'aes192-ctr',
  'aes256-ctr',
] as const
