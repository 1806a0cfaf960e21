/**
 * The key exchange and cipher tend proposes, most preferred first. SSH uses the client's first
 * choice the server also allows, so this order decides what a handshake costs, and a server that
 * allows only the later ones is still reached. These are exactly ssh2's default sets (nothing weak
 * added: no SHA-1 key exchange, no CBC, no arcfour), ordered by what bench/profile/handshake.ts
 * measured against OpenSSH 9.2 (bench/README.md, Handshake): ECDH on P-256 completes the handshake
 * ≈4–5 ms sooner than curve25519 (of ≈90 ms), for ssh2 and OpenSSH's own client alike: sshd does
 * P-256 in OpenSSL's assembly but X25519 in OpenSSH's portable C. Both are strong; curve25519
 * follows. Host key and cipher made no difference beyond noise; AEAD ciphers come first (no
 * separate MAC pass). Written out, the order no longer moves with ssh2's own defaults.
 * Host key algorithms are ordered per host by what known_hosts records (see ssh-hostkey.ts).
 */
export const KEX_ALGORITHMS = [
  'ecdh-sha2-nistp256',
  'curve25519-sha256',
  'curve25519-sha256@libssh.org',
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
