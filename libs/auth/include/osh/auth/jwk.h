#pragma once

#include <string>
#include <string_view>

namespace osh::auth {

// The public JWK (RFC 7517, one JSON object as text) of a PEM key, for tools
// and tests that build the JWKS the services verify with
// (VerifierConfig::jwks_json = {"keys": [jwk, ...]}). Accepts a public key
// ("-----BEGIN PUBLIC KEY-----") or an unencrypted private key, of which only
// the public part is exported. RSA keys of at least 2048 bits become
// {"kty":"RSA","alg":"RS256","use":"sig","n":..,"e":..}, EC P-256 keys
// {"kty":"EC","crv":"P-256","alg":"ES256","use":"sig","x":..,"y":..}; `kid` is
// included when not empty. Returns "" with *error set for any other input.
std::string PublicJwkFromPem(std::string_view public_or_private_key_pem, std::string_view kid,
                             std::string* error);

}  // namespace osh::auth
